"""Which periods a pipeline run must rebuild: those new data touched, and no others.

One rule for every partitioned group of models (the monthly dossier marts, the yearly survey
indices); each group says what it is built from (`Inputs`):

- the raw tables whose `_loaded_at` tells what is new since the group's last build;
- where the data's rows sit in time (the earliest and latest moment rows loaded after a given
  time speak of);
- how far a change reaches forward: a month's stocks carry over into every later month; a
  year's figures reach only the next year's change against it, which the yearly models rewrite
  themselves;
- the reference relations a change of which changes every period.

A change of the reference data or of the models themselves (the manifest's checksums) rebuilds
every period. The watermark lives in the warehouse beside the data it describes
(`ops.build_watermarks`, one row per group), so a run that failed before the group's build
leaves it behind and the next run rebuilds what the failed one loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.settings import DBT_PROJECT_DIR

WATERMARKS = "ops.build_watermarks"


@dataclass(frozen=True)
class Grain:
    name: str
    floor: Callable[[dt.date], dt.date]  # the first day of the period containing a day
    step: Callable[[dt.date], dt.date]  # the first day of the next period
    key_format: str  # its Dagster partition key
    label_format: str
    # how many later periods a change in one reaches (None: every later one)
    reach: int | None


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


MONTH = Grain("month", lambda d: dt.date(d.year, d.month, 1), _next_month, "%Y-%m-%d", "%Y-%m",
              reach=None)
# a year's change against the previous year reaches the next year, but the yearly models
# rewrite that next year's change themselves (macros/yearly_partitions.sql): nothing to add here
YEAR = Grain("year", lambda d: dt.date(d.year, 1, 1), lambda d: dt.date(d.year + 1, 1, 1), "%Y",
             "%Y", reach=0)


@dataclass(frozen=True)
class PeriodRange:
    start: dt.date  # first day of the first period
    end: dt.date  # first day of the period after the last (half-open)
    grain: Grain = MONTH

    def starts(self) -> list[dt.date]:
        days, day = [], self.start
        while day < self.end:
            days.append(day)
            day = self.grain.step(day)
        return days

    def partition_keys(self) -> list[str]:
        return [day.strftime(self.grain.key_format) for day in self.starts()]

    def label(self) -> str:
        """`2025-04..2025-09`, `2023..2024`."""
        first, last = self.starts()[0], self.starts()[-1]
        return f"{first:{self.grain.label_format}}..{last:{self.grain.label_format}}"


@dataclass(frozen=True)
class Watermark:
    loaded_through: dt.datetime | None  # the newest `_loaded_at` the build saw
    fingerprint: str  # reference data and model code


# (connection, only rows loaded after this time or all) -> (earliest, latest) moment, or None
Spans = Callable[[duckdb.DuckDBPyConnection, dt.datetime | None],
                 tuple[dt.date, dt.date] | None]


@dataclass(frozen=True)
class Inputs:
    watermark: str  # the group's row in ops.build_watermarks
    grain: Grain
    loaded_tables: tuple[str, ...]  # raw tables (without schema)
    spans: Spans
    reference_relations: tuple[str, ...] = ()


def _node_checksums(document: dict) -> str:
    checksums = sorted(f"{n['unique_id']}={n['checksum']['checksum']}"
                       for n in document["nodes"].values()
                       if n["resource_type"] in ("model", "seed"))
    return hashlib.sha256("\n".join(checksums).encode()).hexdigest()


def model_checksums(manifest: Path) -> str:
    return _node_checksums(json.loads(manifest.read_text(encoding="utf-8")))


def project_checksums(manifest: Path) -> str:
    """Models and seeds (their checksums), the project's macros, and `dbt_project.yml` (its
    variables, folder configs): what the models compile to besides the data."""
    document = json.loads(manifest.read_text(encoding="utf-8"))  # 4 MB: parsed once
    macros = sorted(f"{m['unique_id']}={hashlib.sha256(m['macro_sql'].encode()).hexdigest()}"
                    for m in document.get("macros", {}).values()
                    if m.get("package_name") == "chiso")
    digest = hashlib.sha256(_node_checksums(document).encode())
    digest.update("\n".join(macros).encode())
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    return digest.hexdigest()


def exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return con.execute("select count(*) from information_schema.tables "
                       "where table_schema = ? and table_name = ?", [schema, name]
                       ).fetchone()[0] > 0


def relations_digest(con: duckdb.DuckDBPyConnection, relations: tuple[str, ...],
                     digest: hashlib._Hash) -> str:
    """`digest` updated with every existing relation's row count and contents."""
    for relation in relations:
        if exists(con, relation):
            row = con.execute(f"select count(*), md5(coalesce(string_agg(cast(t as varchar), "
                              f"'|' order by cast(t as varchar)), '')) from {relation} t"
                              ).fetchone()
            digest.update(f"{relation}:{row[0]}:{row[1]}".encode())
    return digest.hexdigest()


def current_watermark(con: duckdb.DuckDBPyConnection, manifest: Path,
                      inputs: Inputs) -> Watermark:
    fingerprint = relations_digest(con, inputs.reference_relations,
                                   hashlib.sha256(model_checksums(manifest).encode()))
    loaded = [con.execute(f"select max(_loaded_at) from raw.{t}").fetchone()[0]
              for t in inputs.loaded_tables if exists(con, f"raw.{t}")]
    loaded = [v for v in loaded if v is not None]
    return Watermark(max(loaded) if loaded else None, fingerprint)


def previous_watermark(con: duckdb.DuckDBPyConnection, name: str) -> Watermark | None:
    if not exists(con, WATERMARKS):
        return None
    row = con.execute(f"select loaded_through, fingerprint from {WATERMARKS} where name = ?",
                      [name]).fetchone()
    return Watermark(row[0], row[1]) if row else None


def save_watermark(con: duckdb.DuckDBPyConnection, name: str, mark: Watermark,
                   periods: PeriodRange | None, run_id: str) -> None:
    con.execute("create schema if not exists ops")
    con.execute(f"""create table if not exists {WATERMARKS} (
        name varchar primary key, loaded_through timestamp, fingerprint varchar,
        months varchar, built_at timestamp, run_id varchar)""")
    con.execute(f"delete from {WATERMARKS} where name = ?", [name])
    # the column is named for the first group that had one; it holds any grain's span
    span = f"{periods.start}..{periods.end}" if periods else None
    con.execute(f"insert into {WATERMARKS} values (?, ?, ?, ?, localtimestamp, ?)",
                [name, mark.loaded_through, mark.fingerprint, span, run_id])


def empty_build(con: duckdb.DuckDBPyConnection, inputs: Inputs, previous: Watermark | None,
                current: Watermark, relations: list[str], *, first: dt.date
                ) -> PeriodRange | None:
    """A period to build the group's `relations` in when none of its inputs has a row (a
    deployment without surveys, say) and the relations are not there or not built by this code
    (a first run, or the models changed): built empty, they are there for the quality gate and
    the publication to read. None otherwise: they are current, or there is data to build."""
    current_code = previous is not None and previous.fingerprint == current.fingerprint
    if current_code and all(exists(con, relation) for relation in relations):
        return None
    if inputs.spans(con, None) is not None:
        return None
    return PeriodRange(first, inputs.grain.step(first), inputs.grain)


def periods_to_rebuild(con: duckdb.DuckDBPyConnection, inputs: Inputs,
                       previous: Watermark | None, current: Watermark, *,
                       first: dt.date, today: dt.date | None = None) -> PeriodRange | None:
    """The periods the next build of the group must cover, or None when nothing changed."""
    grain = inputs.grain
    everything = inputs.spans(con, None)
    if everything is None:
        return None
    # the last period the data speaks of, but never one still in the future
    last = min(grain.floor(everything[1]), grain.floor(today or dt.date.today()))
    if previous is None or previous.fingerprint != current.fingerprint:
        start = grain.floor(everything[0])
    else:
        if previous.loaded_through is not None and current.loaded_through is not None \
                and current.loaded_through <= previous.loaded_through:
            return None
        touched = inputs.spans(con, previous.loaded_through)
        if touched is None:
            return None
        start = grain.floor(touched[0])
        if grain.reach is not None:
            reached = grain.floor(touched[1])
            for _ in range(grain.reach):
                reached = grain.step(reached)
            last = min(last, reached)
    start = max(start, first)
    end = grain.step(last)
    return PeriodRange(start, end, grain) if start < end else None
