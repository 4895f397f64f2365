"""The one Definitions: it loads whole without touching the environment, every entry point
requests the same job and months, the asset graph is grouped by domain, and the inbox
sensor's run key is the same in every process."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.pipeline.jobs import PIPELINE_JOB
from tests.orchestration.inbox_ticks import sensed_run


def test_definitions_hold_the_whole_graph() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/dossier_records", "raw/dossier_events", "raw/calendar_days",
            "raw/load_manifest", "staging/stg_dossier_portal__records", "marts/dim_province",
            "marts/fct_dossier_indicators_by_period", "marts/dossier_indicators"} <= keys
    staging = dg.AssetKey(["staging", "stg_dossier_portal__records"])
    assert dg.AssetKey(["raw", "dossier_records"]) in graph.get(staging).parent_keys
    # grouped by domain, not by layer; nothing left in Dagster's default group
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups == {"ingestion", "dossiers", "surveys", "indices", "quality", "publication",
                      "reference"}
    # every asset says who answers for it
    assert all(graph.get(k).owners for k in graph.get_all_asset_keys())
    job = defs.resolve_job_def(PIPELINE_JOB)
    assert job.executor_def.name == "in_process"
    # the monthly marts and the yearly survey indices are in the same job as everything else
    assert job.partitions_def is not None
    job_keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"marts/fct_service_index_monthly", "marts/sipas_index_yearly",
            "marts/par_index_yearly", "publication/published_file"} <= job_keys


def test_each_dbt_group_is_one_step_of_the_job() -> None:
    """The unpartitioned, yearly, monthly and published models run as one step each: a model
    of one group reading a model of a group built after it would split a step in two, and
    Dagster would then run parts of it with the tests around them selected by dbt."""
    from orchestration.definitions import defs

    names = sorted(node.name for node in defs.resolve_job_def(PIPELINE_JOB).graph.nodes)
    assert {"dbt_models", "dbt_yearly_models", "dbt_monthly_models",
            "dbt_published_models"} <= set(names)
    assert [n for n in names if re.fullmatch(r".+_\d+", n)] == [], names


def test_every_dbt_test_is_an_asset_check() -> None:
    """Each dbt data test reaches Dagster as a check on the asset it judges, source tests on
    the raw tables and singular tests on the relation their `meta.dagster.ref` names: a test
    that is not one is logged by every run as a stray observation, with a warning."""
    from orchestration.definitions import defs
    from orchestration.lib.dbt_project import MANIFEST

    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    tests = {node["name"] for node in manifest["nodes"].values()
             if node["resource_type"] == "test"}
    graph = defs.resolve_asset_graph()
    checks = {key.name: key.asset_key.to_user_string() for key in graph.asset_check_keys}
    assert tests and sorted(tests - checks.keys()) == []
    assert checks["source_not_null_dossier_portal_records_dossier_id"] == "raw/dossier_records"
    assert checks["assert_province_seeds_agree"] == "seeds/provinces_2025"
    assert checks["assert_dossier_quarters_and_years_agree_with_months"] \
        == "marts/fct_dossier_indicators_by_period"


def test_every_entry_point_requests_the_same_job(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from orchestration.definitions import defs
    from orchestration.lib import launch

    schedule = defs.resolve_schedule_def("nightly_pipeline")
    assert schedule.job_name == PIPELINE_JOB
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == PIPELINE_JOB
    asked: list[str] = []

    launched: list[dict[str, str]] = []

    configs: list[dict] = []

    class Recorder:
        def execute_in_process(self, **kwargs: object) -> str:
            launched.append(kwargs["tags"])  # type: ignore[arg-type]
            configs.append(kwargs["run_config"])  # type: ignore[arg-type]
            return "ran"

    def resolve(name: str) -> Recorder:
        asked.append(name)
        return Recorder()

    # and the same months: all up to the current one, rebuilding those new data touched
    from orchestration.lib.partitions import TOUCHED_TAG

    now = dg.build_schedule_context(scheduled_execution_time=dt.datetime.now())
    scheduled = schedule.evaluate_tick(now).run_requests[0].tags
    assert scheduled[TOUCHED_TAG] == "touched"
    monkeypatch.setenv("CHISO_INBOX", str(tmp_path))
    monkeypatch.setenv("CHISO_INBOX_QUIET_SECONDS", "0")
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    sensed = sensed_run().tags
    range_tags = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end",
                  TOUCHED_TAG)
    assert {k: sensed[k] for k in range_tags} == {k: scheduled[k] for k in range_tags}
    monkeypatch.setattr(defs, "resolve_job_def", resolve)
    assert launch.run_pipeline(defs, instance=None) == "ran"  # type: ignore[arg-type]
    assert launch.run_pipeline(defs, instance=None,  # type: ignore[arg-type]
                               months=("2024-01-01", "2024-06-01")) == "ran"
    assert launch.run_pipeline(defs, instance=None, years=(2023, 2024)) == "ran"  # type: ignore[arg-type]
    assert asked == [PIPELINE_JOB] * 3
    assert {k: launched[0][k] for k in range_tags} == {k: scheduled[k] for k in range_tags}
    assert "ops" not in configs[0]  # no year asked: the years new data touched
    # --from/--to with months asks for exactly those months
    assert launched[1]["dagster/asset_partition_range_start"] == "2024-01-01"
    assert launched[1]["dagster/asset_partition_range_end"] == "2024-06-01"
    assert TOUCHED_TAG not in launched[1]
    # with years: exactly those survey years, and the months new data touched
    assert configs[2]["ops"] == {"dbt_yearly_models": {"config": {"first_year": 2023,
                                                                  "last_year": 2024}}}
    assert {k: launched[2][k] for k in range_tags} == {k: scheduled[k] for k in range_tags}


def test_importing_the_definitions_changes_no_environment(tmp_path: Path) -> None:
    code = ("import os; before = dict(os.environ); import orchestration.definitions; "
            "print(sorted(set(os.environ.items()) ^ set(before.items())))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


def test_the_sensors_run_key_is_the_same_in_another_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_INBOX", str(tmp_path))
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    monkeypatch.setenv("CHISO_INBOX_QUIET_SECONDS", "0")
    here = sensed_run().run_key
    code = ("from tests.orchestration.inbox_ticks import sensed_run; "
            "print(sensed_run().run_key)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "CHISO_INBOX": str(tmp_path),
                              "CHISO_INBOX_QUIET_SECONDS": "0"},
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == here


def test_a_dbt_change_after_the_manifest_is_reported() -> None:
    """`chiso run` refuses a stale manifest (it would crash mid-run on unknown models)."""
    from orchestration.lib import dbt_project

    model = dbt_project.DBT_PROJECT_DIR / "models" / "staging" / "reference" / \
        "stg_reference__agencies.sql"
    built = dbt_project.MANIFEST.stat().st_mtime
    original = model.stat().st_mtime
    try:
        os.utime(model, (built - 10, built - 10))
        assert "models/staging/reference/stg_reference__agencies.sql" not in \
            dbt_project.stale_dbt_files()
        os.utime(model, (built + 10, built + 10))
        assert "models/staging/reference/stg_reference__agencies.sql" in \
            dbt_project.stale_dbt_files()
    finally:
        os.utime(model, (original, original))


def test_the_dbt_resource_knows_its_version_without_running_dbt(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster_dbt.core.resource as dagster_dbt_resource

    from orchestration.lib.resources import dbt_resource

    printed = subprocess.run([str(Path(sys.executable).parent / "dbt"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    installed = re.search(r"installed:\s+(\d+\.\d+\.\d+)", printed)
    assert installed is not None, printed

    def no_subprocess(*args: object, **kwargs: object) -> bytes:
        raise AssertionError(f"ran {args}: 3 to 5 s at every dbt step")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    assert str(dbt_resource()._cli_version) == installed[1]
