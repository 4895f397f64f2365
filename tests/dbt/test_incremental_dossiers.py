"""The incremental dossier models against a full rebuild, on the hand-made raw layer.

After a late event for an old month (a supplement request and its completion for a dossier
received in June and ended in July), a new event for an open dossier, a new version of
another, and events that take one dossier out of the consistency checks and put another in,
an incremental run leaves every dossier model and the monthly dossier facts exactly as
building everything again from the same raw rows does. After a change to the working-day
overrides, the orchestration's plan asks for a full refresh, which rebuilds every dossier from
its raw rows: the change moves an old dossier's due date (which no incremental run would
revisit, as no row of it was loaded) and reaches the monthly facts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from dbt.cli.main import dbtRunner

from foundation.settings import DBT_PROJECT_DIR
from orchestration.lib.dirty_periods import previous_watermark
from orchestration.lib.unpartitioned_build import (
    WATERMARK,
    plan_unpartitioned_build,
)
from tests.dbt.invoke import invoke_dbt, record_whole_build
from tests.dbt.raw_sample import LOADED_AT, build_raw_layer

# the dossier models and the monthly facts counted from them (every period: no partition vars)
SELECTION = ("+fct_dossier_processing_by_period", "+fct_dossier_indicators_by_period")
COMPARED = ("intermediate.int_dossier_records__latest", "intermediate.int_dossier__events_ordered",
            "intermediate.int_dossier__supplements", "intermediate.int_dossier__consistency_flags",
            "intermediate.int_dossier__digital_services",
            "intermediate.int_dossier__lifecycle",
            "marts.fct_dossier_processing_by_period", "marts.fct_dossier_indicators_by_period")
LATER = LOADED_AT + dt.timedelta(days=1)
BOUNDS = {"memory_limit": "1GiB"}


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


LATE_EVENTS = [
    # H15-0001 was received 2025-06-30 and ended 2025-07-14: the applicant's wait, sent late
    {"event_id": "H15-0001-04", "dossier_id": "H15-0001", "event_type": "YEU_CAU_BO_SUNG",
     "event_at": _ts("2025-07-02 10:00:00"), "status_code": "5", "agency_code": "T63.15.S001"},
    {"event_id": "H15-0001-05", "dossier_id": "H15-0001", "event_type": "HOAN_THANH_BO_SUNG",
     "event_at": _ts("2025-07-08 09:00:00"), "status_code": "4", "agency_code": "T63.15.S001"},
    # M15-0001, open since 2025-07-01, is processed in August
    {"event_id": "M15-0001-02", "dossier_id": "M15-0001", "event_type": "DA_XU_LY",
     "event_at": _ts("2025-08-20 15:00:00"), "status_code": "9", "agency_code": "T34.15.X001"},
    # H01-ORDER, set aside as processed before it was received, turns out received earlier:
    # consistent now, it gets its lifecycle
    {"event_id": "H01-ORDER-00", "dossier_id": "H01-ORDER", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-02-03 07:30:00"), "status_code": "2", "agency_code": "T63.01.H001"},
    # M46-EVENTS, judged already, had its result returned an hour before processing ended:
    # set aside now, it loses its lifecycle
    {"event_id": "M46-EV-03", "dossier_id": "M46-EVENTS", "event_type": "DA_TRA_KET_QUA",
     "event_at": _ts("2025-08-06 14:00:00"), "status_code": "10", "agency_code": "T34.46.X001"},
]
LATE_RECORDS = [
    # M46-0001, submitted online on 2025-08-04, is received the next day
    {"dossier_id": "M46-0001", "version": 2, "procedure_code": "1.001234", "field_code": "G05",
     "agency_code": "T34.46.X001", "province_code": "46", "level": "xa", "channel": "2",
     "submitted_at": _ts("2025-08-04 10:00:00"), "received_at": _ts("2025-08-05 08:30:00"),
     "due_at": _ts("2025-08-26 08:30:00"), "updated_at": _ts("2025-08-05 08:30:00"),
     "status_code": "2", "paid_online": "1", "has_digitised_component": 1, "digitised": 1,
     "reused_from_national_store": 0, "vneid_authenticated": 1, "has_complaint": 0,
     "applicant_name_hmac": "hmac-name", "applicant_national_id_hmac": "hmac-id",
     "applicant_phone_hmac": "hmac-phone"},
]
# a day off the library does not know: H15-0001's due date (15 working days from 2025-06-30)
# moves a working day later
NEW_OVERRIDE = "2025-07-10,false,Nghỉ bù (test),test: an announced day off\n"


def _add_late_rows(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        for table, rows, source in (("dossier_events", LATE_EVENTS, "late/events.csv"),
                                    ("dossier_records", LATE_RECORDS, "late/records.csv")):
            lineage = {"_source_file": source, "_file_sha256": f"sha-{source}",
                       "_loaded_at": LATER}
            batch = pa.Table.from_pylist([{**r, **lineage, "_source_row": i}
                                          for i, r in enumerate(rows, start=1)])
            con.register("batch", batch)
            con.execute(f"insert into raw.{table} by name select * from batch")
            con.unregister("batch")
            con.execute("insert into raw.load_manifest (source_file, file_sha256, family, "
                        "status, rows_in, rows_loaded, rows_quarantined, rows_new, loaded_at) "
                        "values (?, ?, ?, 'loaded', ?, ?, 0, ?, ?)",
                        [source, f"sha-{source}", table, len(rows), len(rows), len(rows), LATER])
    finally:
        con.close()


def _dbt(project: Path, warehouse: Path, tmp: Path, *args: str) -> None:
    result = invoke_dbt(["build", "--select", *SELECTION, "--exclude", "resource_type:test",
                         "resource_type:unit_test", *args], warehouse=warehouse, tmp=tmp,
                        project=project, env={"CHISO_DUCKDB_MEMORY_LIMIT": BOUNDS["memory_limit"]})
    assert result.success, result.exception or [
        (r.node.name, str(r.status), r.message) for r in result.result or []
        if str(r.status) not in ("success", "pass")]


Snapshot = dict[str, Counter[tuple[Any, ...]]]


def _snapshot(path: Path) -> Snapshot:
    """Every compared table as a multiset of rows."""
    # a plain connection: the in-process dbt keeps the file's instance open and this one
    # shares it (a second instance or an ATTACH of the same file would be refused)
    con = duckdb.connect(str(path))
    try:
        return {table: Counter(con.execute(f"select * from {table}").fetchall())
                for table in COMPARED}
    finally:
        con.close()


def _differences(left: Snapshot, right: Snapshot) -> dict[str, int]:
    """Rows in one snapshot and not the other, per table (empty: identical)."""
    return {table: n for table in COMPARED
            if (n := sum(((left[table] - right[table]) + (right[table] - left[table])).values()))}


def _scalar(path: Path, sql: str) -> Any:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@dataclass(frozen=True)
class Runs:
    warehouse: Path
    tmp: Path
    incremental: Snapshot  # built whole on the first rows, then incrementally after the late
    rebuilt: Snapshot  # the same raw rows, everything built again (--full-refresh)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """One warehouse file throughout (dbt's profile, and so its parse, stay the same)."""
    tmp = tmp_path_factory.mktemp("incremental")
    warehouse = tmp / "warehouse.duckdb"
    build_raw_layer(str(warehouse))
    _dbt(DBT_PROJECT_DIR, warehouse, tmp)
    record_whole_build(warehouse, tmp)
    _add_late_rows(warehouse)
    _dbt(DBT_PROJECT_DIR, warehouse, tmp)
    incremental = _snapshot(warehouse)
    _dbt(DBT_PROJECT_DIR, warehouse, tmp, "--full-refresh")
    return Runs(warehouse, tmp, incremental, _snapshot(warehouse))


def test_late_rows_give_what_a_full_rebuild_gives(runs: Runs) -> None:
    assert _differences(runs.incremental, runs.rebuilt) == {}
    # dbt ran within the configured bounds (its settings are the instance's, shared here)
    assert _scalar(runs.warehouse, "select current_setting('memory_limit')") == "1.0 GiB"
    assert _scalar(runs.warehouse, "select current_setting('temp_directory')") == str(
        runs.warehouse.parent / "spill")
    # and the late rows did change the old dossier (a wait now counted, in July) and the others
    lifecycle = "select {} from intermediate.int_dossier__lifecycle where dossier_id = '{}'"
    assert _scalar(runs.warehouse, lifecycle.format("supplement_requests", "H15-0001")) == 1
    assert _scalar(runs.warehouse, lifecycle.format("outcome", "M15-0001")) == "processed"
    assert _scalar(runs.warehouse, lifecycle.format("received_at", "M46-0001")) == _ts(
        "2025-08-05 08:30:00")
    # the consistency checks moved with the late rows: one dossier out of them, one in
    flags = "select string_agg(check_code, ',') from intermediate.int_dossier__consistency_flags " \
            "where dossier_id = '{}'"
    assert _scalar(runs.warehouse, flags.format("H01-ORDER")) is None
    assert _scalar(runs.warehouse, flags.format("M46-EVENTS")) == "returned_before_processed"
    assert _scalar(runs.warehouse, lifecycle.format("count(*)", "H01-ORDER")) == 1
    assert _scalar(runs.warehouse, lifecycle.format("count(*)", "M46-EVENTS")) == 0


def test_an_override_change_asks_for_and_gets_a_full_refresh(runs: Runs) -> None:
    project = runs.tmp / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    with (project / "seeds/working_day_overrides.csv").open("a", encoding="utf-8") as seed:
        seed.write(NEW_OVERRIDE)
    target = runs.tmp / "changed"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE", str(runs.warehouse))
        parsed = dbtRunner().invoke(["parse", "--project-dir", str(project), "--profiles-dir",
                                     str(project), "--target-path", str(target / "target")])
    assert parsed.success, parsed.exception
    con = duckdb.connect(str(runs.warehouse))
    try:
        plan = plan_unpartitioned_build(con, target / "target/manifest.json",
                                        previous_watermark(con, WATERMARK))
    finally:
        con.close()
    assert (plan.skip, plan.full_refresh) == (False, True)
    due = "select due_at from intermediate.int_dossier__lifecycle where dossier_id = 'H15-0001'"
    before = _scalar(runs.warehouse, due)
    _dbt(project, runs.warehouse, target, "--full-refresh")
    # the override moved an old dossier's due date, which no incremental run would look at
    assert _scalar(runs.warehouse, due) == before + dt.timedelta(days=1)
    # and reaches the marts (the refresh is the rebuild from scratch: same SQL, all rows)
    assert "marts.fct_dossier_processing_by_period" in _differences(
        _snapshot(runs.warehouse), runs.rebuilt)
