"""Which months a pipeline run rebuilds, on hand-made raw rows: everything the first time, the
months from the earliest moment new rows mention to the last month of data after that,
nothing when nothing new came, and everything again when the reference data changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.lib import dirty_months as dm

FIRST = dt.date(2021, 1, 1)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create schema intermediate")
    con.execute("""create table raw.dossier_records (dossier_id varchar, submitted_at timestamp,
        received_at timestamp, due_at timestamp, processing_ended_at timestamp,
        result_returned_at timestamp, updated_at timestamp, _loaded_at timestamp)""")
    con.execute("create table raw.dossier_events (dossier_id varchar, event_at timestamp, "
                "new_due_at timestamp, _loaded_at timestamp)")
    con.execute("create table intermediate.int_reference__procedures "
                "(procedure_code varchar, legal_time_value integer)")
    con.execute("insert into intermediate.int_reference__procedures values ('P1', 5)")
    # loaded on 2025-03-05: dossiers of January to March (a due date in April is not data)
    con.execute("""insert into raw.dossier_records values
        ('A', '2025-01-10 08:00', '2025-01-10 09:00', '2025-01-17 09:00', null, null,
         '2025-01-10 09:00', '2025-03-05 06:00'),
        ('B', '2025-03-02 08:00', '2025-03-02 09:00', '2025-04-09 09:00', null, null,
         '2025-03-02 09:00', '2025-03-05 06:00')""")
    return con


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.chiso.m": {
        "unique_id": "model.chiso.m", "resource_type": "model", "checksum": {"checksum": "1"}}}}))
    return path


def rebuild(con: duckdb.DuckDBPyConnection, manifest: Path) -> dm.MonthRange | None:
    current = dm.current_watermark(con, manifest)
    months = dm.months_to_rebuild(con, dm.previous_watermark(con, "t"), current,
                                  first_month=FIRST)
    dm.save_watermark(con, "t", current, months, "run")
    return months


def test_the_first_build_covers_every_month_of_data(con, manifest) -> None:
    months = rebuild(con, manifest)
    assert months == dm.MonthRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert months.partition_keys() == ["2025-01-01", "2025-02-01", "2025-03-01"]


def test_nothing_new_rebuilds_nothing(con, manifest) -> None:
    rebuild(con, manifest)
    assert rebuild(con, manifest) is None


def test_a_late_event_rebuilds_its_month_and_every_month_after(con, manifest) -> None:
    rebuild(con, manifest)
    # loaded in May: an event of February for dossier A, and April's new dossier
    con.execute("insert into raw.dossier_events values "
                "('A', '2025-02-20 10:00', null, '2025-05-02 06:00')")
    con.execute("insert into raw.dossier_records values ('C', '2025-04-28 08:00', null, null, "
                "null, null, '2025-04-28 08:00', '2025-05-02 06:00')")
    assert rebuild(con, manifest) == dm.MonthRange(dt.date(2025, 2, 1), dt.date(2025, 5, 1))


def test_a_new_version_of_an_old_dossier_rebuilds_from_its_submission(con, manifest) -> None:
    """A version carries the dossier's whole record (channel, digitisation flags), which count
    in the month it was received: the rebuild starts there."""
    rebuild(con, manifest)
    con.execute("insert into raw.dossier_records values ('A', '2025-01-10 08:00', "
                "'2025-01-10 09:00', '2025-01-17 09:00', '2025-03-20 10:00', null, "
                "'2025-03-20 10:00', '2025-03-21 06:00')")
    assert rebuild(con, manifest) == dm.MonthRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_a_change_of_reference_data_or_models_rebuilds_everything(con, manifest) -> None:
    rebuild(con, manifest)
    con.execute("update intermediate.int_reference__procedures set legal_time_value = 7")
    assert rebuild(con, manifest) == dm.MonthRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert rebuild(con, manifest) is None
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert rebuild(con, manifest) == dm.MonthRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_an_empty_warehouse_has_nothing_to_build(tmp_path: Path, manifest) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    assert rebuild(con, manifest) is None


# --- the unpartitioned build: nothing, new rows only, or everything again ---------------------

def plan(con: duckdb.DuckDBPyConnection, manifest: Path) -> dm.UnpartitionedBuild:
    decided = dm.plan_unpartitioned_build(con, manifest, dm.previous_watermark(con, "u"))
    if not decided.skip:  # what the orchestration does after a successful build
        dm.save_watermark(con, "u", decided.mark, None, "run")
    return decided


@pytest.fixture
def loads(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("create table raw.load_manifest (file_sha256 varchar, loaded_at timestamp)")
    con.execute("insert into raw.load_manifest values ('a', '2025-03-05 06:00')")
    con.execute("create table raw.calendar_days (calendar_date date, is_working_day boolean)")
    con.execute("insert into raw.calendar_days values ('2025-07-10', true)")
    return con


def test_the_first_build_is_a_full_one_then_only_new_loads_build(loads, manifest) -> None:
    first = plan(loads, manifest)
    assert (first.skip, first.full_refresh) == (False, True)
    assert plan(loads, manifest).skip  # nothing loaded since: no dbt at all
    loads.execute("insert into raw.load_manifest values ('b', '2025-03-06 06:00')")
    new_rows = plan(loads, manifest)
    assert (new_rows.skip, new_rows.full_refresh) == (False, False)
    assert plan(loads, manifest).skip


def test_a_calendar_or_code_change_rebuilds_every_dossier(loads, manifest) -> None:
    plan(loads, manifest)
    loads.execute("update raw.calendar_days set is_working_day = false")  # a day off announced
    changed = plan(loads, manifest)
    assert (changed.skip, changed.full_refresh) == (False, True)
    assert plan(loads, manifest).skip
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert plan(loads, manifest).full_refresh
