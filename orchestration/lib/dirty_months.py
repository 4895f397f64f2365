"""Which months a pipeline run must rebuild: the months new data touched, and no others.

A dossier row loaded since the last monthly build can change every period from the earliest
moment it mentions (a late event for March changes March and, through the stocks carried over,
every month after it) to the last month of data; nothing before. A change of the reference
data the statistics are judged against (legal processing times, the working-day calendar,
agencies, the service index configuration) or of the models themselves changes every month.
The watermark lives in the warehouse beside the data it describes (`ops.build_watermarks`), so
a run that failed before its monthly build leaves the watermark behind and the next run
rebuilds what the failed one loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.settings import DBT_PROJECT_DIR

WATERMARKS = "ops.build_watermarks"
# the reference data every monthly figure is judged against (built by the unpartitioned models)
REFERENCE_RELATIONS = (
    "intermediate.int_reference__procedures",
    "intermediate.int_reference__working_days",
    "intermediate.int_reference__agencies",
    "intermediate.int_reference__province_crosswalk",
    "seeds.service_index_criteria",
    "seeds.service_index_bands",
    "seeds.petition_deadlines",
)
# what happened (the data's last month), and what a row mentions at all (its earliest month)
RECORD_EVENTS = ("submitted_at", "received_at", "processing_ended_at", "result_returned_at",
                 "updated_at")
RECORD_MOMENTS = (*RECORD_EVENTS, "due_at")


@dataclass(frozen=True)
class Watermark:
    loaded_through: dt.datetime | None  # the newest `_loaded_at` the build saw
    fingerprint: str  # reference data and model code


@dataclass(frozen=True)
class MonthRange:
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the month after the last (half-open)

    def partition_keys(self) -> list[str]:
        keys, month = [], self.start
        while month < self.end:
            keys.append(month.isoformat())
            month = next_month(month)
        return keys


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    return dt.date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def model_checksums(manifest: Path) -> str:
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    checksums = sorted(f"{n['unique_id']}={n['checksum']['checksum']}"
                       for n in nodes.values() if n["resource_type"] in ("model", "seed"))
    return hashlib.sha256("\n".join(checksums).encode()).hexdigest()


def project_checksums(manifest: Path) -> str:
    """Models and seeds (their checksums), the project's macros, and `dbt_project.yml` (its
    variables, folder configs): what the models compile to besides the data."""
    document = json.loads(manifest.read_text(encoding="utf-8"))
    macros = sorted(f"{m['unique_id']}={hashlib.sha256(m['macro_sql'].encode()).hexdigest()}"
                    for m in document.get("macros", {}).values()
                    if m.get("package_name") == "chiso")
    digest = hashlib.sha256(model_checksums(manifest).encode())
    digest.update("\n".join(macros).encode())
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    return digest.hexdigest()


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return con.execute("select count(*) from information_schema.tables "
                       "where table_schema = ? and table_name = ?", [schema, name]
                       ).fetchone()[0] > 0


def _relations_digest(con: duckdb.DuckDBPyConnection, relations: tuple[str, ...],
                      digest: hashlib._Hash) -> str:
    for relation in relations:
        if _exists(con, relation):
            row = con.execute(f"select count(*), md5(coalesce(string_agg(cast(t as varchar), "
                              f"'|' order by cast(t as varchar)), '')) from {relation} t"
                              ).fetchone()
            digest.update(f"{relation}:{row[0]}:{row[1]}".encode())
    return digest.hexdigest()


def current_watermark(con: duckdb.DuckDBPyConnection, manifest: Path) -> Watermark:
    fingerprint = _relations_digest(con, REFERENCE_RELATIONS,
                                    hashlib.sha256(model_checksums(manifest).encode()))
    loaded = [con.execute(f"select max(_loaded_at) from raw.{t}").fetchone()[0]
              for t in ("dossier_records", "dossier_events") if _exists(con, f"raw.{t}")]
    loaded = [v for v in loaded if v is not None]
    return Watermark(max(loaded) if loaded else None, fingerprint)


# --- the unpartitioned build (staging, intermediate, the marts rebuilt whole) ------------------

# the inputs of the reference data the dossier lifecycle is judged against, besides seeds and
# code: the calendar rebuilt each run from the `holidays` library, the procedure catalogue
# (legal times) and the agencies
LIFECYCLE_REFERENCE_SOURCES = ("raw.calendar_days", "raw.procedure_catalogue", "raw.agencies")


@dataclass(frozen=True)
class UnpartitionedBuild:
    """What the unpartitioned dbt build must do: nothing (no input changed since it last ran
    whole), an incremental build (new rows only), or a full refresh (the code, the seeds or the
    reference data changed, which moves old dossiers' due dates and judgements too)."""

    skip: bool
    full_refresh: bool
    mark: Watermark
    reason: str


def inputs_watermark(con: duckdb.DuckDBPyConnection, manifest: Path) -> Watermark:
    """The newest file load (any family), and the fingerprint of code, seeds and reference."""
    fingerprint = _relations_digest(con, LIFECYCLE_REFERENCE_SOURCES,
                                    hashlib.sha256(project_checksums(manifest).encode()))
    loaded = (con.execute("select max(loaded_at) from raw.load_manifest").fetchone()[0]
              if _exists(con, "raw.load_manifest") else None)
    return Watermark(loaded, fingerprint)


def plan_unpartitioned_build(con: duckdb.DuckDBPyConnection, manifest: Path,
                             previous: Watermark | None) -> UnpartitionedBuild:
    current = inputs_watermark(con, manifest)
    if previous is None:
        return UnpartitionedBuild(False, True, current, "first build")
    if previous.fingerprint != current.fingerprint:
        return UnpartitionedBuild(False, True, current,
                                  "models, seeds or reference data changed: full refresh")
    if current.loaded_through == previous.loaded_through:
        return UnpartitionedBuild(True, False, current, "no file loaded since the last build")
    return UnpartitionedBuild(False, False, current, "new rows: incremental build")


def previous_watermark(con: duckdb.DuckDBPyConnection, name: str) -> Watermark | None:
    if not _exists(con, WATERMARKS):
        return None
    row = con.execute(f"select loaded_through, fingerprint from {WATERMARKS} where name = ?",
                      [name]).fetchone()
    return Watermark(row[0], row[1]) if row else None


def save_watermark(con: duckdb.DuckDBPyConnection, name: str, mark: Watermark,
                   months: MonthRange | None, run_id: str) -> None:
    con.execute("create schema if not exists ops")
    con.execute(f"""create table if not exists {WATERMARKS} (
        name varchar primary key, loaded_through timestamp, fingerprint varchar,
        months varchar, built_at timestamp, run_id varchar)""")
    con.execute(f"delete from {WATERMARKS} where name = ?", [name])
    span = f"{months.start}..{months.end}" if months else None
    con.execute(f"insert into {WATERMARKS} values (?, ?, ?, ?, localtimestamp, ?)",
                [name, mark.loaded_through, mark.fingerprint, span, run_id])


def data_months(con: duckdb.DuckDBPyConnection, *, loaded_after: dt.datetime | None = None
                ) -> tuple[dt.datetime, dt.datetime] | None:
    """Earliest and latest moment the dossier rows mention (only rows loaded after the
    given time, when one is given)."""
    where = "where _loaded_at > ?" if loaded_after else ""
    params = [loaded_after] if loaded_after else []
    parts = []
    if _exists(con, "raw.dossier_records"):
        parts.append(f"select least({', '.join(RECORD_MOMENTS)}) as first_at, "
                     f"greatest({', '.join(RECORD_EVENTS)}) as last_at "
                     f"from raw.dossier_records {where}")
    if _exists(con, "raw.dossier_events"):
        parts.append(f"select least(event_at, new_due_at), event_at "
                     f"from raw.dossier_events {where}")
    if not parts:
        return None
    row = con.execute(f"select min(first_at), max(last_at) from ({' union all '.join(parts)})",
                      params * len(parts)).fetchone()
    return None if row[0] is None else (row[0], row[1])


def months_to_rebuild(con: duckdb.DuckDBPyConnection, previous: Watermark | None,
                      current: Watermark, *, first_month: dt.date) -> MonthRange | None:
    """The months the next monthly build must cover, or None when nothing changed."""
    everything = data_months(con)
    if everything is None:
        return None
    # the last month the data speaks of, but never one still in the future
    last = min(month_of(everything[1]), month_of(dt.date.today()))
    end = next_month(last)
    if previous is None or previous.fingerprint != current.fingerprint:
        start = month_of(everything[0])
    else:
        if previous.loaded_through is not None and current.loaded_through is not None \
                and current.loaded_through <= previous.loaded_through:
            return None
        touched = data_months(con, loaded_after=previous.loaded_through)
        if touched is None:
            return None
        start = month_of(touched[0])
    start = max(start, first_month)
    return MonthRange(start, end) if start < end else None
