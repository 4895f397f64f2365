"""The floor: the monthly on-time share per province computed straight from the dossier record
exports, as an analyst would: in one DuckDB query, and in pandas. chiso's own figure comes
from many more rules (supplement waits, the recomputed due date, both code systems); these
take each dossier's latest version as sent and count it on time when it ended by the due date
it was given.

    .venv/bin/python benchmarks/floor.py duckdb var/inbox
    .venv/bin/python benchmarks/floor.py pandas var/inbox

Prints a JSON line: seconds, province-months, dossiers judged, and the share over them all.

The ingestion's floor, per export format (`scale.py ingest` runs it beside chiso's load):

    .venv/bin/python benchmarks/floor.py copy INBOX WAREHOUSE

DuckDB alone landing every file of INBOX (one kind and format) as text in a table of a new
database file, in one statement, committed and checkpointed: no typing, checks,
pseudonymisation or lineage. Prints a JSON line: seconds and rows.

The generator's floor (`scale.py generate` runs it after each generation):

    .venv/bin/python benchmarks/floor.py write INBOX OUT

Every dossier record and event export of INBOX read into memory (not timed), then written
again by DuckDB in its own format (CSV, JSON Lines, Parquet) under OUT: the time this machine
takes to write those rows at all, without drawing them. Prints seconds and rows, per format.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

FORMATS = ("%d/%m/%Y %H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S+07:00")
COLUMNS = ["MaHoSo", "PhienBan", "MaTinh", "TrangThaiHoSo", "NgayKetThucXuLy", "NgayHenTra"]


def record_files(inbox: Path) -> dict[str, list[Path]]:
    files = sorted(p for p in (inbox / "dossiers").rglob("*") if p.is_file())
    return {kind: [p for p in files if p.suffix == f".{kind}"]
            for kind in ("csv", "jsonl", "parquet")}


def with_duckdb(inbox: Path) -> dict[str, float]:
    import duckdb

    files = record_files(inbox)

    def listed(paths: list[Path]) -> str:
        return "[" + ", ".join(f"'{p}'" for p in paths) + "]"

    parts = []
    if files["csv"]:
        parts.append(f"select {', '.join(COLUMNS)} from read_csv({listed(files['csv'])}, "
                     f"all_varchar = true, ignore_errors = true, union_by_name = true)")
    if files["jsonl"]:
        types = ", ".join(f"{c}: 'varchar'" for c in COLUMNS)
        parts.append(f"select {', '.join(COLUMNS)} from read_json({listed(files['jsonl'])}, "
                     f"format = 'newline_delimited', ignore_errors = true, "
                     f"columns = {{{types}}})")
    if files["parquet"]:
        parts.append(f"select {', '.join(f'cast({c} as varchar) as {c}' for c in COLUMNS)} "
                     f"from read_parquet({listed(files['parquet'])}, union_by_name = true)")
    parsed = ", ".join(f"try_strptime(x, '{f}')" for f in FORMATS)
    sql = f"""
        with records as ({' union all '.join(parts)}),
        latest as (
            select MaHoSo, arg_max(MaTinh, try_cast(PhienBan as integer)) as province,
                arg_max(struct_pack(status := TrangThaiHoSo, ended := NgayKetThucXuLy,
                                    due := NgayHenTra), try_cast(PhienBan as integer)) as last
            from records where MaHoSo is not null group by MaHoSo
        ),
        judged as (
            select province, coalesce({parsed.replace('x', 'last.ended')}) as ended,
                   coalesce({parsed.replace('x', 'last.due')}) as due
            from latest where last.status in ('9', '10')
        )
        select province, date_trunc('month', ended) as month, count(*) as dossiers,
               avg(case when ended <= due then 1.0 else 0.0 end) as on_time_share
        from judged where ended is not null and due is not null
        group by all
    """
    started = time.perf_counter()
    rows = duckdb.connect().execute(sql).fetchall()
    seconds = time.perf_counter() - started
    dossiers = sum(r[2] for r in rows)
    return {"seconds": round(seconds, 2), "province_months": len(rows), "dossiers": dossiers,
            "share": round(sum(r[2] * float(r[3]) for r in rows) / max(dossiers, 1), 6)}


def with_pandas(inbox: Path) -> dict[str, float]:
    import pandas as pd

    files = record_files(inbox)
    started = time.perf_counter()
    frames = [pd.read_csv(p, usecols=COLUMNS, dtype=str, encoding="utf-8-sig",
                          on_bad_lines="skip") for p in files["csv"]]
    for p in files["jsonl"]:
        text = p.read_text(encoding="utf-8")
        try:
            frame = pd.read_json(io.StringIO(text), lines=True, dtype=False)
        except ValueError:  # a truncated last line: keep the lines that parse
            lines = [ln for ln in text.splitlines() if ln.endswith("}")]
            frame = pd.read_json(io.StringIO("\n".join(lines)), lines=True, dtype=False)
        frames.append(frame[COLUMNS].astype(str))
    frames += [pd.read_parquet(p, columns=COLUMNS).astype(str) for p in files["parquet"]]
    records = pd.concat(frames, ignore_index=True)
    records["PhienBan"] = pd.to_numeric(records["PhienBan"], errors="coerce")
    records = records.dropna(subset=["MaHoSo", "PhienBan"])
    latest = records.sort_values("PhienBan").drop_duplicates("MaHoSo", keep="last")
    latest = latest[latest["TrangThaiHoSo"].isin(["9", "10"])].copy()

    def parse(values: pd.Series) -> pd.Series:
        result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
        for fmt in FORMATS:
            result = result.fillna(pd.to_datetime(values, format=fmt, errors="coerce"))
        return result

    latest["ended"] = parse(latest["NgayKetThucXuLy"])
    latest["due"] = parse(latest["NgayHenTra"])
    latest = latest.dropna(subset=["ended", "due"])
    latest["on_time"] = (latest["ended"] <= latest["due"]).astype(float)
    latest["month"] = latest["ended"].dt.to_period("M")
    figure = latest.groupby(["MaTinh", "month"])["on_time"].agg(["count", "mean"])
    seconds = time.perf_counter() - started
    dossiers = int(figure["count"].sum())
    return {"seconds": round(seconds, 2), "province_months": len(figure), "dossiers": dossiers,
            "share": round(float((figure["count"] * figure["mean"]).sum()) / max(dossiers, 1), 6)}


# the export formats read by DuckDB alone, text as text: `{}` is a file or a list of files
READ_AS_TEXT = {
    ".parquet": "read_parquet({}, union_by_name = true)",
    ".csv": "read_csv({}, all_varchar = true, union_by_name = true)",
    ".jsonl": "read_json({}, format = 'newline_delimited', union_by_name = true, "
              "ignore_errors = true)",
}


def copy_floor(inbox: Path, target: Path) -> dict[str, float]:
    """Every export file under the inbox (one format) copied as text into a new DuckDB file."""
    import duckdb

    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    suffixes = {p.suffix for p in files}
    if len(suffixes) != 1 or not suffixes <= READ_AS_TEXT.keys():
        raise SystemExit(f"one export format at a time, not {sorted(suffixes)}")
    read = READ_AS_TEXT[suffixes.pop()].format("[" + ", ".join(f"'{p}'" for p in files) + "]")
    started = time.perf_counter()
    con = duckdb.connect(target)
    con.execute(f"create table exported as select * from {read}")
    rows = con.execute("select count(*) from exported").fetchone()[0]
    con.close()  # the checkpoint: the rows are in the database file, as chiso's load ends
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows}


def write_floor(inbox: Path, out: Path) -> dict[str, object]:
    """The sample's dossier exports written again by DuckDB, each in its own format."""
    import duckdb

    formats = {".csv": "format csv, header true", ".jsonl": "format json",
               ".parquet": "format parquet"}
    files = sorted(p for kind in ("dossiers", "events") for p in (inbox / kind).rglob("*")
                   if p.suffix in formats)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    by_format: dict[str, dict[str, float]] = {}
    for number, path in enumerate(files):
        con.execute(f"create or replace temp table held as select * from "
                    f"{READ_AS_TEXT[path.suffix].format(repr(str(path)))}")
        rows = con.execute("select count(*) from held").fetchone()[0]
        target = out / f"{number}{path.suffix}"
        started = time.perf_counter()
        con.execute(f"copy held to '{target}' ({formats[path.suffix]})")
        seconds = time.perf_counter() - started
        target.unlink()
        entry = by_format.setdefault(path.suffix.lstrip("."), {"seconds": 0.0, "rows": 0})
        entry["seconds"] += seconds
        entry["rows"] += rows
    seconds = sum(e["seconds"] for e in by_format.values())
    rows = sum(int(e["rows"]) for e in by_format.values())
    return {"seconds": round(seconds, 2), "rows": rows, "files": len(files),
            "formats": {k: {"seconds": round(v["seconds"], 2), "rows": int(v["rows"])}
                        for k, v in by_format.items()}}


def main() -> None:
    engine, inbox = sys.argv[1], Path(sys.argv[2])
    if engine == "copy":
        result = copy_floor(inbox, Path(sys.argv[3]))
    elif engine == "write":
        result = write_floor(inbox, Path(sys.argv[3]))
    else:
        result = with_duckdb(inbox) if engine == "duckdb" else with_pandas(inbox)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
