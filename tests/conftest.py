from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEventType
from xdist.scheduler import LoadScopeScheduling

from sample_generator.config import SampleConfig
from sample_generator.generate import GROUND_TRUTH, generate
from tests.support.pipeline_home import pipeline_environment

# xdist's workers run under a __main__ with neither __spec__ nor __file__: pyspark (the `spark`
# extra, kept by a .venv that ran `make test-spark`) takes that for its own doctest run and
# exits the worker when Great Expectations imports it
_worker_main = sys.modules["__main__"]
if getattr(_worker_main, "__spec__", None) is None and not hasattr(_worker_main, "__file__"):
    _worker_main.__file__ = "<pytest-xdist worker>"

# Small but complete: crosses Tết 2025 and the 2025-07-01 merger
SMALL_SAMPLE = SampleConfig(
    seed=11,
    dossiers=20_000,
    start=dt.date(2025, 1, 1),
    end=dt.date(2025, 9, 30),
    survey_respondents_per_province=24,
    officials_per_province=8,
    procedures=120,
    papi_respondents_per_province=32,  # two villages a province
)


@functools.cache
def _uses_the_pipeline_run(module_file: Path) -> bool:
    """Whether a test module uses the session's pipeline run, as a fixture or through
    `request.getfixturevalue`."""
    return "pipeline_runs" in module_file.read_text(encoding="utf-8")


# the tests of pipeline modules that need no pipeline run (the hand-made dbt layer of
# tests/dbt/test_dbt_project.py, and its parse test): they run beside the pipeline, not after it
BUILT_APART = ("[hand_made]", "::test_parse_needs_no_warehouse_file")


class PipelineModulesTogether(LoadScopeScheduling):
    """`make test` runs two workers (`pytest -n 2 --dist loadscope`). Each module goes whole to
    one worker, so its module fixtures are built once; the modules that share the session's
    pipeline run (minutes) count as one module, so that run is built once."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        path = self.config.rootpath / module
        for variant in BUILT_APART:
            if variant in nodeid:
                return module + variant
        return "pipeline_runs" if path.is_file() and _uses_the_pipeline_run(path) else module


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    return PipelineModulesTogether(config, log) if config.getvalue("dist") == "loadscope" else None


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    generate(SMALL_SAMPLE, inbox)
    return inbox


@pytest.fixture(scope="session")
def ground_truth(small_inbox: Path) -> dict[str, Any]:
    return json.loads((small_inbox / GROUND_TRUTH).read_text(encoding="utf-8"))


# --- the pipeline, run once per session and shared by the dbt and end-to-end tests ------------

HELD_BACK_MONTH = "2025-09"  # its dossier exports arrive after the first run
# one province's export with rows that pass the contract but cannot be true (issue 8)
IMPOSSIBLE_EXPORT = "dossiers/vnpt_igate/ho_so_bo_sung_2025-03.csv"
IMPOSSIBLE_IDS = {"IMPOSSIBLE-2099": "year 2099", "IMPOSSIBLE-P99": "province 99",
                  "IMPOSSIBLE-ORDER": "updated before it was submitted"}
# the file's last two rows are exact re-sends of March's: loaded, and new to nobody
# and one events export whose rows each keep their contract but cannot be true with the rest
# (consistency flags, across rows): a dossier processed before it was received, one known only
# by events from an agency the agency list lacks, and a real dossier of March's records with
# an event the day before it was submitted
IMPOSSIBLE_EVENTS_EXPORT = "events/vnpt_igate/su_kien_bo_sung_2025-03.csv"
IMPOSSIBLE_ORDER = {"IMPOSSIBLE-EV-ORDER": "ended_before_received",
                    "IMPOSSIBLE-EV-AGENCY": "unknown_agency_events_only"}


def write_impossible_export(inbox: Path) -> Path:
    """Three real rows of March's export, made impossible, plus two sent again untouched."""
    source = inbox / "dossiers/vnpt_igate/ho_so_2025-03.csv"
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(5), reader, strict=False)]
        header = reader.fieldnames or []
    for row, (dossier_id, _) in zip(rows, IMPOSSIBLE_IDS.items(), strict=False):
        row["MaHoSo"] = dossier_id
    rows[0]["NgayNopHoSo"] = rows[0]["NgayCapNhat"] = "15/03/2099 09:00:00"
    rows[1]["MaTinh"] = "99"
    rows[2]["NgayNopHoSo"], rows[2]["NgayCapNhat"] = "20/03/2025 10:00:00", "19/03/2025 10:00:00"
    target = inbox / IMPOSSIBLE_EXPORT
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return target


# rows marked before the backfills (a name no build writes, and no data test reads): a
# backfill replaces the rows of the periods it rebuilds, and leaves every other row as it was,
# marks included
MARK = "marked before the backfills"
MARKED_MONTHS = ("2025-03-01", "2025-05-01")  # the backfill rebuilds March and April
MARKED_YEARS = (2022, 2023, 2024, 2025)  # the backfill rebuilds 2023, and 2024's change
MARKED_REPLICATE_YEARS = (2023, 2024)  # bootstrap replicates are year-local: 2024's stay
BACKFILLED_MONTHS = ("2025-03-01", "2025-04-01")
BACKFILLED_YEAR = 2023


def mark_rows(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update marts.fct_dossier_indicators_by_period set unit_name = ? "
                    "where period_type = 'month' and unit_type = 'national' and period_start "
                    "in (select unnest(?::date[]))", [MARK, list(MARKED_MONTHS)])
        con.execute("update marts.sipas_index_yearly set province_name = ? where element_code "
                    "= 'overall' and survey_year in (select unnest(?))", [MARK, list(MARKED_YEARS)])
        con.execute("update intermediate.int_survey__bootstrap_replicates set index_pct = -1 "
                    "where replicate = 1 and survey_year in (select unnest(?))",
                    [list(MARKED_REPLICATE_YEARS)])
    finally:
        con.close()


def _parses(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%d/%m/%Y %H:%M:%S")
    except ValueError:
        return False
    return True


def write_impossible_events(inbox: Path) -> Path:
    """Events in an impossible order, for two new dossiers and one of March's (whose event
    comes before its submission: see `impossible_events`)."""
    records = inbox / "dossiers/vnpt_igate/ho_so_2025-03.csv"
    with records.open(encoding="utf-8-sig", newline="") as handle:
        # a row that keeps its contract (the generator plants broken ones among them)
        real = next(r for r in csv.DictReader(handle)
                    if r["MaHoSo"] and r["KenhThucHien"] in ("1", "2", "3")
                    and _parses(r["NgayNopHoSo"]) and _parses(r["NgayTiepNhan"]))
    submitted = dt.datetime.strptime(real["NgayNopHoSo"], "%d/%m/%Y %H:%M:%S")
    agency = real["MaDonVi"]

    def row(event_id: str, dossier: str, kind: str, at: str, status: str,
            unit: str = agency) -> dict[str, str]:
        return {"MaSuKien": event_id, "MaHoSo": dossier, "LoaiSuKien": kind, "ThoiDiem": at,
                "TrangThai": status, "MaDonVi": unit, "NguoiXuLy": "CB0001",
                "NgayHenTraMoi": "", "GhiChu": ""}

    rows = [row("IMPOSSIBLE-EV-ORDER-01", "IMPOSSIBLE-EV-ORDER", "DA_XU_LY",
                "10/03/2025 09:00:00", "9"),
            row("IMPOSSIBLE-EV-ORDER-02", "IMPOSSIBLE-EV-ORDER", "TIEP_NHAN",
                "10/03/2025 10:00:00", "2"),
            row("IMPOSSIBLE-EV-AGENCY-01", "IMPOSSIBLE-EV-AGENCY", "TIEP_NHAN",
                "11/03/2025 09:00:00", "2", unit="X.99.S001"),
            row(f"{real['MaHoSo']}-IMPOSSIBLE", real["MaHoSo"], "CHUYEN_XU_LY",
                f"{submitted - dt.timedelta(days=1):%d/%m/%Y %H:%M:%S}", "4")]
    target = inbox / IMPOSSIBLE_EVENTS_EXPORT
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def impossible_events(inbox: Path) -> dict[str, str]:
    """Dossier -> the consistency check its events in the file fail."""
    with (inbox / IMPOSSIBLE_EVENTS_EXPORT).open(encoding="utf-8", newline="") as handle:
        real = [r["MaHoSo"] for r in csv.DictReader(handle)
                if r["MaSuKien"].endswith("-IMPOSSIBLE")]
    return {**IMPOSSIBLE_ORDER, **dict.fromkeys(real, "event_before_submission")}


@dataclass(frozen=True)
class PipelineRuns:
    """The real Dagster job on the small sample, as an operator would run it: a first run
    (`chiso run`) without September's dossier exports, a run after they arrived (the run the
    nightly schedule requests), a run with nothing new, then, with some rows marked, a backfill
    of March and April as the UI launches it (the monthly assets, a range of two partitions)
    and a backfill of the survey year 2023 (the yearly assets, `chiso run --from 2023 --to
    2023`'s config). Warehouse snapshots (checkpointed copies) after each run."""

    home: Path
    warehouse: Path
    first: dg.ExecuteInProcessResult
    new_month: dg.ExecuteInProcessResult
    nothing_new: dg.ExecuteInProcessResult
    two_months: dg.ExecuteInProcessResult
    one_year: dg.ExecuteInProcessResult
    after_first: Path
    after_new_month: Path
    after_nothing_new: Path
    before_backfills: Path  # after_nothing_new with the rows marked
    warned_tests: frozenset[str]
    # the first run's "planned" events: asset -> the months each one names (None: no month)
    planned_first: dict[str, list[list[str] | None]]


def _snapshot(warehouse: Path, target: Path) -> Path:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("checkpoint")  # everything in the file, nothing left in the WAL
    finally:
        con.close()
    shutil.copyfile(warehouse, target)
    return target


def _planned(instance: dg.DagsterInstance, run_id: str) -> dict[str, list[list[str] | None]]:
    planned: dict[str, list[list[str] | None]] = {}
    for record in instance.all_logs(run_id,
                                    of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED):
        data = record.dagster_event.event_specific_data
        months = (list(data.partitions_subset.get_partition_keys()) if data.partitions_subset
                  else [data.partition] if data.partition else None)
        planned.setdefault(data.asset_key.to_user_string(), []).append(months)
    return planned


def _warned_tests(instance: dg.DagsterInstance, run_id: str) -> frozenset[str]:
    """dbt tests that warned in a run: failed asset checks (but the quality gate's own, which
    report what the gate found), and singular tests (which dagster-dbt logs as observations)."""
    from orchestration.defs.quality.checks import CHECKS

    gate_checks = {check.name for check in CHECKS}
    warned = set()
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        data = record.dagster_event.event_specific_data
        if not data.passed and data.check_name not in gate_checks:
            warned.add(data.check_name)
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_OBSERVATION):
        metadata = record.dagster_event.event_specific_data.asset_observation.metadata
        status, unique_id = metadata.get("status"), metadata.get("unique_id")
        if status is not None and unique_id is not None and status.value != "pass":
            warned.add(str(unique_id.value).split(".")[-1])
    return frozenset(warned)


@pytest.fixture(scope="session")
def pipeline_runs(small_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> PipelineRuns:
    home = tmp_path_factory.mktemp("chiso_home")
    shutil.copytree(small_inbox, home / "inbox")
    write_impossible_export(home / "inbox")
    write_impossible_events(home / "inbox")
    held_back = home / "held_back"
    for path in sorted((home / "inbox").rglob(f"*{HELD_BACK_MONTH}*")):
        target = held_back / path.relative_to(home / "inbox")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    warehouse = home / "warehouse.duckdb"
    with pipeline_environment(home, "e2e-test-key-not-secret"):
        from orchestration.definitions import defs
        from orchestration.defs.pipeline.jobs import PIPELINE_JOB
        from orchestration.defs.surveys.assets import dbt_yearly_models, years_run_config
        from orchestration.lib.launch import run_pipeline
        from orchestration.lib.partitions import month_range_tags

        monthly_assets = [k for k in defs.resolve_asset_graph().get_all_asset_keys()
                          if defs.resolve_asset_graph().get(k).partitions_def is not None]
        with dg.DagsterInstance.ephemeral() as instance:
            first = run_pipeline(defs, instance)
            after_first = _snapshot(warehouse, home / "after_first.duckdb")
            warned = _warned_tests(instance, first.run_id)
            planned_first = _planned(instance, first.run_id)
            for path in held_back.rglob("*"):
                if path.is_file():
                    target = home / "inbox" / path.relative_to(held_back)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
            schedule = defs.resolve_schedule_def("nightly_pipeline")
            request = schedule.evaluate_tick(dg.build_schedule_context(
                instance=instance, scheduled_execution_time=dt.datetime.now())).run_requests[0]
            new_month = defs.resolve_job_def(request.job_name or PIPELINE_JOB
                                             ).execute_in_process(
                instance=instance, tags=request.tags, raise_on_error=False)
            after_new_month = _snapshot(warehouse, home / "after_new_month.duckdb")
            nothing_new = run_pipeline(defs, instance)
            after_nothing_new = _snapshot(warehouse, home / "after_nothing_new.duckdb")
            mark_rows(warehouse)
            before_backfills = _snapshot(warehouse, home / "before_backfills.duckdb")
            # a backfill of two months from the UI: the monthly assets, a range of partitions
            two_months = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
                instance=instance, tags=month_range_tags(*BACKFILLED_MONTHS),
                asset_selection=monthly_assets, raise_on_error=False)
            # and of one survey year: the yearly assets, the year in their config
            one_year = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
                instance=instance, asset_selection=list(dbt_yearly_models.keys),
                run_config=years_run_config(BACKFILLED_YEAR, BACKFILLED_YEAR),
                raise_on_error=False)
    return PipelineRuns(home, warehouse, first, new_month, nothing_new, two_months, one_year,
                        after_first, after_new_month, after_nothing_new, before_backfills,
                        warned, planned_first)
