"""Files prepared ahead by worker threads load exactly as one file after the other does."""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ingestion.loader as loader
from ingestion.loader import load_inbox
from tests.ingestion.helpers import (
    EVENT_COLUMNS,
    PII_KEY,
    RECORD_COLUMNS,
    assert_accounted,
    csv_bytes,
    event,
    record,
    write_csv,
)

RAW_TABLES = ["dossier_records", "dossier_events", "quarantine", "load_units"]


def messy_inbox(inbox: Path) -> None:
    """One of each path through the loader: plain files of every text and columnar format,
    bad rows, a legacy code page, an empty file, an archive, a copy under another name."""
    write_csv(inbox / "a/events_1.csv", EVENT_COLUMNS, [event(n) for n in range(1, 40)])
    write_csv(inbox / "a/events_2.csv", EVENT_COLUMNS,  # a date no parser reads, a re-sent row
              [event(1), event(40, ThoiDiem="31/02/2025 08:00:00"), event(41)])
    write_csv(inbox / "a/events_copy.csv", EVENT_COLUMNS, [event(n) for n in range(1, 40)])
    write_csv(inbox / "b/records.csv", RECORD_COLUMNS,
              [record(n, ChuHoSo="Tr\u00e2\u0300n Thi\u0323 Be\u0301") for n in range(1, 30)],
              encoding="cp1258")  # Windows-1258 spells tones as combining marks
    (inbox / "b/records.jsonl").write_text(
        "\n".join(json.dumps(record(n, 2), ensure_ascii=False) for n in range(1, 20)) + "\n",
        encoding="utf-8")
    pq.write_table(pa.Table.from_pylist([{c: None if v is None else str(v)
                                          for c, v in record(n, 3).items()}
                                         for n in range(1, 10)]), inbox / "b/records.parquet")
    (inbox / "c_empty.csv").write_bytes(b"")
    with zipfile.ZipFile(inbox / "d_archive.zip", "w") as archive:
        archive.writestr("x.csv", csv_bytes(EVENT_COLUMNS, [event(n) for n in range(50, 60)]))
        archive.writestr("y.csv", b"khong,phai,du,lieu\n1,2,3,4\n")


def loaded(con: duckdb.DuckDBPyConnection, inbox: Path, workers: int
           ) -> tuple[list[dict[str, Any]], dict[str, list[tuple[Any, ...]]]]:
    results = load_inbox(con, inbox, pii_key=PII_KEY, workers=workers)
    for result in results:
        assert_accounted(con, result)
    # the same results but for time (a skipped copy's reason names the minute its original
    # was loaded: the two loads may fall either side of a minute); the same rows but for when
    # they were loaded
    facts = [{k: re.sub(r"loaded on \d{4}-\d{2}-\d{2} \d{2}:\d{2}", "loaded on <time>", v)
              if k == "reason" and v else v
              for k, v in dataclasses.asdict(r).items() if k != "seconds"}
             for r in results]
    tables = {}
    for table in RAW_TABLES:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? and column_name not in ('_loaded_at', 'quarantined_at')",
            [table]).fetchall()]
        listed = ", ".join(columns)
        tables[table] = con.execute(
            f"select {listed} from raw.{table} order by all").fetchall()
    return facts, tables


def test_look_ahead_loads_what_one_file_after_the_other_loads(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    messy_inbox(inbox)
    with duckdb.connect(str(tmp_path / "serial.duckdb")) as serial, \
            duckdb.connect(str(tmp_path / "ahead.duckdb")) as ahead:
        one_by_one = loaded(serial, inbox, workers=0)
        prepared_ahead = loaded(ahead, inbox, workers=2)
    facts, tables = one_by_one
    statuses = {f["source_file"]: f["status"] for f in facts}
    assert statuses == {  # the inbox holds every path the comparison is meant to cover
        "a/events_1.csv": "loaded", "a/events_2.csv": "loaded", "a/events_copy.csv": "skipped",
        "b/records.csv": "loaded", "b/records.jsonl": "loaded", "b/records.parquet": "loaded",
        "c_empty.csv": "rejected", "d_archive.zip!x.csv": "loaded",
        "d_archive.zip!y.csv": "rejected"}
    assert len(tables["dossier_events"]) == 39 + 1 + 10  # events_2: one new, one re-sent
    assert prepared_ahead == one_by_one


def test_a_file_whose_preparation_fails_is_loaded_by_the_writer_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "a.csv", EVENT_COLUMNS, [event(1), event(2)])
    write_csv(inbox / "b.csv", EVENT_COLUMNS, [event(3)])
    prepare = loader._prepare_file

    def failing(path: Path, **kwargs: Any) -> loader._PreparedFile:
        if path.name == "a.csv":
            raise MemoryError("a worker thread ran out")
        return prepare(path, **kwargs)

    monkeypatch.setattr(loader, "_prepare_file", failing)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        results = load_inbox(con, inbox, pii_key=PII_KEY, workers=2)
        assert [(r.source_file, r.status, r.rows_new) for r in results] == [
            ("a.csv", "loaded", 2), ("b.csv", "loaded", 1)]
        assert con.execute("select list(_source_file order by _source_file, _source_row) "
                           "from raw.dossier_events").fetchone()[0] == ["a.csv", "a.csv", "b.csv"]


def test_a_later_run_reads_only_what_changed_with_look_ahead(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "a.csv", EVENT_COLUMNS, [event(1)])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_inbox(con, inbox, pii_key=PII_KEY, workers=2)
        write_csv(inbox / "b.csv", EVENT_COLUMNS, [event(2)])
        again = load_inbox(con, inbox, pii_key=PII_KEY, workers=2)
    assert [(r.source_file, r.status) for r in again] == [("a.csv", "skipped"),
                                                          ("b.csv", "loaded")]
    assert again[0].reason is not None and again[0].reason.endswith("(same size and time)")


def test_look_ahead_memory_is_bounded_to_a_few_files() -> None:
    started: list[Path] = []
    paths = [Path(f"f{n}") for n in range(10)]

    def prepare(path: Path) -> loader._PreparedFile:
        started.append(path)
        return loader._PreparedFile(loader.Blob(str(path), "0" * 64, None, path=path),  # type: ignore[arg-type]
                                    None, 0.0)

    with loader._Ahead(paths, prepare, workers=2) as ahead:
        ahead._pool.shutdown(wait=True)  # type: ignore[union-attr]  # let the pool finish
        assert len(started) == 2  # one a thread ahead of the writer, never the whole inbox


def test_a_file_changed_after_it_was_read_is_read_again_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    path = write_csv(inbox / "a.csv", EVENT_COLUMNS, [event(1)])
    prepare = loader._prepare_file

    def then_appended(path: Path, **kwargs: Any) -> loader._PreparedFile:
        prepared = prepare(path, **kwargs)
        with path.open("a", encoding="utf-8") as export:  # the system was still writing it
            export.write(csv_bytes(EVENT_COLUMNS, [event(2)]).decode().split("\n", 1)[1])
        return prepared

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        monkeypatch.setattr(loader, "_prepare_file", then_appended)
        first = load_inbox(con, inbox, pii_key=PII_KEY, workers=1)
        monkeypatch.setattr(loader, "_prepare_file", prepare)
        again = load_inbox(con, inbox, pii_key=PII_KEY, workers=1)
        assert (first[0].rows_new, again[0].status, again[0].rows_new) == (1, "loaded", 1)
        assert con.execute("select count(*) from raw.dossier_events").fetchone()[0] == 2
    assert path.read_text(encoding="utf-8").count("\n") == 3
