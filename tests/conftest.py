from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEventType

from sample_generator.config import SampleConfig
from sample_generator.generate import GROUND_TRUTH, generate

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


@dataclass(frozen=True)
class PipelineRuns:
    """The real Dagster job on the small sample, as an operator would run it: a first run
    (`chiso run`) without September's dossier exports, a run after they arrived (the run the
    nightly schedule requests), a run with nothing new, and a backfill of March alone as the
    UI launches it (the monthly assets, one partition). Warehouse snapshots (checkpointed
    copies) after each step."""

    home: Path
    warehouse: Path
    first: dg.ExecuteInProcessResult
    new_month: dg.ExecuteInProcessResult
    nothing_new: dg.ExecuteInProcessResult
    march: dg.ExecuteInProcessResult
    after_first: Path
    after_new_month: Path
    after_nothing_new: Path
    warned_tests: frozenset[str]


def _snapshot(warehouse: Path, target: Path) -> Path:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("checkpoint")  # everything in the file, nothing left in the WAL
    finally:
        con.close()
    shutil.copyfile(warehouse, target)
    return target


def _warned_tests(instance: dg.DagsterInstance, run_id: str) -> frozenset[str]:
    """dbt tests that warned in a run: failed asset checks, and singular tests (which dagster-dbt
    logs as observations)."""
    warned = set()
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        data = record.dagster_event.event_specific_data
        if not data.passed:
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
    held_back = home / "held_back"
    for path in sorted((home / "inbox").rglob(f"*{HELD_BACK_MONTH}*")):
        target = held_back / path.relative_to(home / "inbox")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    warehouse = home / "warehouse.duckdb"
    env = {"CHISO_HOME": str(home), "CHISO_PII_KEY": "e2e-test-key-not-secret",
           "DAGSTER_HOME": str(home / "dagster")}
    with pytest.MonkeyPatch.context() as mp:
        for name in ("CHISO_WAREHOUSE", "CHISO_INBOX"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        from orchestration.definitions import defs
        from orchestration.defs.pipeline.jobs import PIPELINE_JOB
        from orchestration.lib.launch import run_pipeline

        monthly_assets = [k for k in defs.resolve_asset_graph().get_all_asset_keys()
                          if defs.resolve_asset_graph().get(k).partitions_def is not None]
        with dg.DagsterInstance.ephemeral() as instance:
            first = run_pipeline(defs, instance)
            after_first = _snapshot(warehouse, home / "after_first.duckdb")
            warned = _warned_tests(instance, first.run_id)
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
            # a backfill of one month from the UI: the monthly assets, one partition
            march = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
                instance=instance, partition_key="2025-03-01", asset_selection=monthly_assets,
                raise_on_error=False)
    return PipelineRuns(home, warehouse, first, new_month, nothing_new, march, after_first,
                        after_new_month, after_nothing_new, warned)
