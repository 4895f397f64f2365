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

from ingestion.loader import FileLoadResult
from orchestration.defs.ingestion.checks import inbox_is_fresh
from orchestration.defs.pipeline import sensors
from orchestration.defs.pipeline.jobs import PIPELINE_JOB
from orchestration.lib import alerts
from orchestration.lib.partitions import TOUCHED_TAG
from orchestration.lib.rejected import set_aside_rejected
from orchestration.lib.resources import WarehouseResource

VN = dt.timezone(dt.timedelta(hours=7))
RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def tick(schedule_name: str, at: dt.datetime) -> dg.RunRequest:
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def(schedule_name)
    assert schedule.job_name == PIPELINE_JOB and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    requests = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=at)).run_requests
    assert len(requests) == 1
    return requests[0]


def test_the_nightly_run_brings_every_month_up_to_now() -> None:
    request = tick("nightly_pipeline", dt.datetime(2025, 3, 5, 6, 0, tzinfo=VN))
    assert [request.tags[k] for k in RANGE] == ["2021-01-01", "2025-03-01"]
    assert request.tags[TOUCHED_TAG] == "touched"


def test_the_monthly_run_rebuilds_and_publishes_the_previous_month() -> None:
    request = tick("monthly_publication", dt.datetime(2025, 4, 3, 7, 0, tzinfo=VN))
    assert [request.tags[k] for k in RANGE] == ["2025-03-01", "2025-03-01"]
    assert TOUCHED_TAG not in request.tags
    january = tick("monthly_publication", dt.datetime(2026, 1, 3, 7, 0, tzinfo=VN))
    assert [january.tags[k] for k in RANGE] == ["2025-12-01", "2025-12-01"]


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("CHISO_INBOX_QUIET_SECONDS", "300")
    (tmp_path / "inbox").mkdir()
    return tmp_path / "inbox"


def evaluate(cursor: str | None, at: float, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[dg.SensorResult | dg.SkipReason, str | None]:
    monkeypatch.setattr(sensors, "now", lambda: at)
    context = dg.build_sensor_context(cursor=cursor)
    result = sensors.inbox_sensor(context)
    return result, (result.cursor if isinstance(result, dg.SensorResult) else context.cursor)


def test_three_new_files_give_one_run_once_the_inbox_is_quiet(
        inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.csv", "b.csv", "c.jsonl"):
        (inbox / name).write_text("x\n1\n", encoding="utf-8")
    first, cursor = evaluate(None, 1000.0, monkeypatch)
    assert isinstance(first, dg.SkipReason) and "closes after 300 s" in first.skip_message
    waiting, cursor = evaluate(cursor, 1100.0, monkeypatch)
    assert isinstance(waiting, dg.SkipReason)
    run, cursor = evaluate(cursor, 1301.0, monkeypatch)
    assert isinstance(run, dg.SensorResult) and len(run.run_requests) == 1
    assert run.run_requests[0].tags["chiso/changed_files"] == "3"
    assert run.run_requests[0].tags[TOUCHED_TAG] == "touched"
    # the same files again: no run
    again, cursor = evaluate(cursor, 5000.0, monkeypatch)
    assert isinstance(again, dg.SkipReason) and "no new" in again.skip_message
    # a fourth file opens a new batch, whose key differs
    (inbox / "d.csv").write_text("x\n2\n", encoding="utf-8")
    _, cursor = evaluate(cursor, 6000.0, monkeypatch)
    later, _ = evaluate(cursor, 6400.0, monkeypatch)
    assert isinstance(later, dg.SensorResult)
    assert later.run_requests[0].tags["chiso/changed_files"] == "1"
    assert later.run_requests[0].run_key != run.run_requests[0].run_key


def test_a_file_still_arriving_keeps_the_batch_open(inbox: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (inbox / "a.csv").write_text("x\n1\n", encoding="utf-8")
    _, cursor = evaluate(None, 0.0, monkeypatch)
    (inbox / "a.csv").write_text("x\n1\n2\n", encoding="utf-8")  # still being copied
    grew, cursor = evaluate(cursor, 250.0, monkeypatch)
    assert isinstance(grew, dg.SkipReason)
    early, cursor = evaluate(cursor, 400.0, monkeypatch)  # 150 s since the last change
    assert isinstance(early, dg.SkipReason)
    ready, _ = evaluate(cursor, 560.0, monkeypatch)
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
