"""Operations: the schedules ask for the right months at the right time, the inbox sensor
starts one run per quiet batch with a stable key, wholly unreadable files are set aside with
their reason, a failed run raises an alert, and stale data is flagged."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.utils import make_new_run_id

from ingestion.loader import FileLoadResult
from orchestration.defs.ingestion.checks import inbox_is_fresh
from orchestration.defs.pipeline.jobs import PIPELINE_JOB
from orchestration.defs.pipeline.schedules import YEAR_INPUTS_TAG
from orchestration.lib import alerts
from orchestration.lib.partitions import TOUCHED_TAG
from orchestration.lib.rejected import set_aside_rejected
from orchestration.lib.resources import WarehouseResource, writer_lock
from tests.orchestration.inbox_ticks import tick

VN = dt.timezone(dt.timedelta(hours=7))
RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def scheduled(schedule_name: str, at: dt.datetime,
              instance: dg.DagsterInstance | None = None) -> dg.RunRequest | str:
    """The run a schedule requests at that time, or why it skips."""
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def(schedule_name)
    assert schedule.job_name == PIPELINE_JOB and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    result = schedule.evaluate_tick(
        dg.build_schedule_context(instance=instance, scheduled_execution_time=at))
    if result.skip_message:
        assert not result.run_requests
        return result.skip_message
    assert len(result.run_requests) == 1
    return result.run_requests[0]


def test_the_nightly_run_brings_every_month_up_to_now() -> None:
    request = scheduled("nightly_pipeline", dt.datetime(2025, 3, 5, 6, 0, tzinfo=VN))
    assert [request.tags[k] for k in RANGE] == ["2021-01-01", "2025-03-01"]
    assert request.tags[TOUCHED_TAG] == "touched"


def test_the_monthly_run_rebuilds_and_publishes_the_previous_month() -> None:
    request = scheduled("monthly_publication", dt.datetime(2025, 4, 3, 7, 0, tzinfo=VN))
    assert [request.tags[k] for k in RANGE] == ["2025-03-01", "2025-03-01"]
    assert TOUCHED_TAG not in request.tags
    january = scheduled("monthly_publication", dt.datetime(2026, 1, 3, 7, 0, tzinfo=VN))
    assert [january.tags[k] for k in RANGE] == ["2025-12-01", "2025-12-01"]


SPRING = dt.datetime(2025, 3, 10, 7, 30, tzinfo=VN)  # a tick of the yearly schedule: 2024


def _loaded(warehouse: Path, rows: dict[str, list[tuple]]) -> None:
    """Raw tables of the survey and assessment families, with the given (year..., loaded at)."""
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists raw")
    for table, year_columns in {"sipas_questionnaire": "survey_year integer",
                                "sipas_responses": "survey_year integer",
                                "officials_questionnaire": "survey_year integer",
                                "officials_responses": "survey_year integer",
                                "par_scores": "year integer",
                                "par_methodology": "valid_from_year integer, "
                                                   "valid_to_year integer"}.items():
        con.execute(f"create table if not exists raw.{table} ({year_columns}, "
                    f"_loaded_at timestamp)")
        for row in rows.get(table, []):
            con.execute(f"insert into raw.{table} values ({', '.join('?' * len(row))})",
                        list(row))
    con.close()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    return tmp_path / "warehouse.duckdb"


MARCH = dt.datetime(2025, 3, 2, 6, 0)
EVERY_INPUT_OF_2024 = {
    "sipas_questionnaire": [(2024, MARCH)], "sipas_responses": [(2023, MARCH), (2024, MARCH)],
    "officials_questionnaire": [(2024, MARCH)], "officials_responses": [(2024, MARCH)],
    "par_scores": [(2024, MARCH)], "par_methodology": [(2022, None, MARCH)]}


def test_the_yearly_build_says_what_it_waits_for(warehouse: Path) -> None:
    assert scheduled("yearly_survey_indices", SPRING) == (
        "waiting for: sipas_questionnaire 2024, sipas_responses 2024, officials_questionnaire "
        "2024, officials_responses 2024, par_methodology 2024, par_scores 2024 (no row of 2024 "
        "loaded from the inbox yet)")
    # SIPAS is in, and a methodology in force until 2023 does not cover 2024
    _loaded(warehouse, {"sipas_questionnaire": [(2024, MARCH)],
                        "sipas_responses": [(2024, MARCH)],
                        "par_methodology": [(2020, 2023, MARCH)],
                        "par_scores": [(2023, MARCH)]})
    assert scheduled("yearly_survey_indices", SPRING) == (
        "waiting for: officials_questionnaire 2024, officials_responses 2024, par_methodology "
        "2024, par_scores 2024 (no row of 2024 loaded from the inbox yet)")


def test_the_yearly_build_runs_once_its_files_are_in(warehouse: Path) -> None:
    _loaded(warehouse, EVERY_INPUT_OF_2024)
    with dg.instance_for_test() as instance:
        request = scheduled("yearly_survey_indices", SPRING, instance)
        assert isinstance(request, dg.RunRequest)
        # exactly 2024's survey indices, and every month brought up to date
        assert request.run_config["ops"] == {
            "dbt_yearly_models": {"config": {"first_year": 2024, "last_year": 2024}}}
        assert [request.tags[k] for k in RANGE] == ["2021-01-01", "2025-03-01"]
        assert request.tags[TOUCHED_TAG] == "touched"
        # the next morning, the same files: the run launched for them is found
        run = dg.DagsterRun(job_name=PIPELINE_JOB, run_id=make_new_run_id(), tags=request.tags,
                            status=dg.DagsterRunStatus.SUCCESS)
        instance.add_run(run)
        skipped = scheduled("yearly_survey_indices", SPRING + dt.timedelta(days=1), instance)
        assert skipped == f"2024 already built from these files (run {run.run_id[:8]})"
        # a corrected export of 2024 loaded later: a new set of files, a new run
        _loaded(warehouse, {"par_scores": [(2024, MARCH + dt.timedelta(days=20))]})
        again = scheduled("yearly_survey_indices", SPRING + dt.timedelta(days=21), instance)
        assert isinstance(again, dg.RunRequest)
        assert again.tags[YEAR_INPUTS_TAG] != request.tags[YEAR_INPUTS_TAG]
        assert again.run_key != request.run_key


def test_the_yearly_build_never_waits_for_a_running_writer(warehouse: Path) -> None:
    _loaded(warehouse, EVERY_INPUT_OF_2024)
    lock = writer_lock(warehouse)
    with lock.acquire(timeout=1):
        assert scheduled("yearly_survey_indices", SPRING).startswith(
            "a run is writing the warehouse")


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("CHISO_INBOX_QUIET_SECONDS", "300")
    (tmp_path / "inbox").mkdir()
    return tmp_path / "inbox"


def test_three_new_files_give_one_run_once_the_inbox_is_quiet(inbox: Path) -> None:
    for name in ("a.csv", "b.csv", "c.jsonl"):
        (inbox / name).write_text("x\n1\n", encoding="utf-8")
    first, cursor = tick(None, 1000.0)
    assert isinstance(first, dg.SkipReason) and "closes after 300 s" in first.skip_message
    waiting, cursor = tick(cursor, 1100.0)
    assert isinstance(waiting, dg.SkipReason)
    run, cursor = tick(cursor, 1301.0)
    assert isinstance(run, dg.SensorResult) and len(run.run_requests) == 1
    assert run.run_requests[0].tags["chiso/changed_files"] == "3"
    assert run.run_requests[0].tags[TOUCHED_TAG] == "touched"
    # the same files again: no run
    again, cursor = tick(cursor, 5000.0)
    assert isinstance(again, dg.SkipReason) and "no new" in again.skip_message
    # a fourth file opens a new batch, whose key differs
    (inbox / "d.csv").write_text("x\n2\n", encoding="utf-8")
    _, cursor = tick(cursor, 6000.0)
    later, _ = tick(cursor, 6400.0)
    assert isinstance(later, dg.SensorResult)
    assert later.run_requests[0].tags["chiso/changed_files"] == "1"
    assert later.run_requests[0].run_key != run.run_requests[0].run_key


def test_a_file_still_arriving_keeps_the_batch_open(inbox: Path) -> None:
    (inbox / "a.csv").write_text("x\n1\n", encoding="utf-8")
    _, cursor = tick(None, 0.0)
    (inbox / "a.csv").write_text("x\n1\n2\n", encoding="utf-8")  # still being copied
    grew, cursor = tick(cursor, 250.0)
    assert isinstance(grew, dg.SkipReason)
    early, cursor = tick(cursor, 400.0)  # 150 s since the last change
    assert isinstance(early, dg.SkipReason)
    ready, _ = tick(cursor, 560.0)
    assert isinstance(ready, dg.SensorResult)


def _result(source: str, status: str, inbox_file: str | None = None) -> FileLoadResult:
    return FileLoadResult(source, None, status, "unreadable spreadsheet: not a zip file"
                          if status == "rejected" else None, 0, 0, 0, 0, 0.0,
                          inbox_file=inbox_file or source)


def test_a_file_that_fails_entirely_is_set_aside_with_its_reason(tmp_path: Path) -> None:
    inbox, rejected = tmp_path / "inbox", tmp_path / "rejected"
    (inbox / "x").mkdir(parents=True)
    (inbox / "x" / "broken.xlsx").write_bytes(b"not a workbook")
    (inbox / "book.xlsx").write_bytes(b"two sheets")
    moved = set_aside_rejected(inbox, rejected, [
        _result("x/broken.xlsx", "rejected"),
        # a workbook with one sheet loaded stays: only its bad sheet is in the manifest
        _result("book.xlsx#Sheet1", "loaded", "book.xlsx"),
        _result("book.xlsx#Sheet2", "rejected", "book.xlsx")])
    assert moved == [rejected / "x" / "broken.xlsx"]
    assert not (inbox / "x" / "broken.xlsx").exists() and (inbox / "book.xlsx").exists()
    assert (rejected / "x" / "broken.xlsx.reason.txt").read_text(encoding="utf-8") == \
        "x/broken.xlsx: unreadable spreadsheet: not a zip file\n"


def test_a_corrupt_export_lands_in_rejected_with_the_loaders_reason(tmp_path: Path) -> None:
    """Through the real loader: a truncated workbook is rejected, set aside with its reason, and
    its record stays in the load manifest (nothing is lost); a good file stays in the inbox."""
    from ingestion.loader import load_inbox
    from ingestion.schema import create_raw_schema

    inbox, rejected = tmp_path / "inbox", tmp_path / "rejected"
    (inbox / "dossiers").mkdir(parents=True)
    (inbox / "dossiers" / "ho_so_2025-03.xlsx").write_bytes(b"PK\x03\x04 cut short in transit")
    (inbox / "notes.txt").write_text("", encoding="utf-8")  # empty: rejected too
    con = duckdb.connect()
    create_raw_schema(con)
    results = load_inbox(con, inbox, pii_key=b"chiso-test-key--" * 2)
    moved = set_aside_rejected(inbox, rejected, results)
    assert sorted(moved) == [rejected / "dossiers" / "ho_so_2025-03.xlsx", rejected / "notes.txt"]
    assert list(inbox.rglob("*.*")) == []
    recorded = dict(con.execute("select source_file, reason from raw.load_manifest "
                                "where status = 'rejected'").fetchall())
    for path in moved:
        name = path.relative_to(rejected).as_posix()
        assert recorded[name]  # the manifest says why
        assert path.with_name(path.name + ".reason.txt").read_text(encoding="utf-8") == \
            f"{name}: {recorded[name]}\n"


def test_a_failed_run_writes_an_alert_and_posts_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    monkeypatch.setenv("CHISO_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/alert")
    alerts.raise_alert(run_id="r1", job=PIPELINE_JOB, failed_steps=["dbt_models"],
                       message="dbt test failed")
    server.server_close()
    line = json.loads((tmp_path / "alerts.jsonl").read_text(encoding="utf-8"))
    assert line["failed_steps"] == ["dbt_models"] and line["run_id"] == "r1"
    assert received == [line]
    from orchestration.definitions import defs

    assert defs.resolve_sensor_def("pipeline_failure_alert") is not None


def _manifest_loaded_at(path: Path, loaded_at: dt.datetime) -> WarehouseResource:
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create table raw.load_manifest (status varchar, "
                "rows_new bigint, loaded_at timestamp)")
    con.execute("insert into raw.load_manifest values ('loaded', 10, ?), ('loaded', 0, ?)",
                [loaded_at, dt.datetime.now(VN).replace(tzinfo=None)])
    con.close()
    return WarehouseResource(path=str(path))


def test_the_inbox_is_stale_after_days_without_new_rows(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_STALE_AFTER_DAYS", "3")
    now = dt.datetime.now(VN).replace(tzinfo=None)
    # a file re-sent yesterday with nothing new does not make the data fresh
    stale = inbox_is_fresh(warehouse=_manifest_loaded_at(tmp_path / "a.duckdb",
                                                         now - dt.timedelta(days=5)))
    assert not stale.passed and stale.severity == dg.AssetCheckSeverity.WARN
    fresh = inbox_is_fresh(warehouse=_manifest_loaded_at(tmp_path / "b.duckdb",
                                                         now - dt.timedelta(days=1)))
    assert fresh.passed
