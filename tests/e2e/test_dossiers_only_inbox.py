"""A province whose first inbox holds its one-stop system's exports and nothing else (no survey,
no assessment score, no petition, no portal evaluation): the real Dagster job succeeds, the
survey tables are there without rows, the quality gate judges what there is, and the dossier
figures are published. Before the yearly step built its tables empty, no survey year to build
meant no survey table, and the gate failed on the missing `quality_survey_anomalies`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sample_generator.config import SampleConfig
from sample_generator.generate import GROUND_TRUTH, generate
from tests.support.pipeline_home import pipeline_environment

pytestmark = pytest.mark.e2e

# every inbox folder but the dossier system's (records, events) and the reference data
NOT_FROM_THE_ONE_STOP_SYSTEM = ("surveys", "par_index", "pci", "petitions", "portal_evaluation",
                                "self_reported")


@pytest.fixture(scope="module")
def dossiers_only(tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[Path, dg.ExecuteInProcessResult]:
    home = tmp_path_factory.mktemp("dossiers_only")
    inbox = home / "inbox"
    generate(SampleConfig(seed=7, dossiers=1_500, start=dt.date(2025, 5, 1),
                          end=dt.date(2025, 7, 31), procedures=60,
                          survey_respondents_per_province=4, officials_per_province=2,
                          papi_respondents_per_province=16), inbox)
    for folder in NOT_FROM_THE_ONE_STOP_SYSTEM:
        shutil.rmtree(inbox / folder)
    (inbox / GROUND_TRUTH).unlink()
    with pipeline_environment(home, "e2e-test-key-not-secret"):
        from orchestration.definitions import defs
        from orchestration.lib.launch import run_pipeline

        with dg.DagsterInstance.ephemeral() as instance:
            result = run_pipeline(defs, instance)
    return home, result


def _count(path: Path, relation: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select count(*) from {relation}").fetchone()[0]
    finally:
        con.close()


def test_the_run_succeeds_and_publishes_the_dossier_figures(dossiers_only) -> None:
    home, result = dossiers_only
    assert result.success
    published = home / "published.duckdb"
    assert _count(published, "dossier_indicators") > 0
    assert _count(published, "service_index_monthly") > 0
    for index in ("sipas_index_yearly", "papi_index_yearly", "par_index_yearly"):
        assert _count(published, index) == 0


def test_the_survey_tables_are_built_empty_and_the_gate_reads_them(dossiers_only) -> None:
    home, result = dossiers_only
    warehouse = home / "warehouse.duckdb"
    assert _count(warehouse, "marts.quality_survey_anomalies") == 0
    assert _count(warehouse, "marts.sipas_index_yearly") == 0
    yearly = [e.materialization.metadata for e in result.get_asset_materialization_events()
              if e.step_key == "dbt_yearly_models"]
    assert yearly and all(m["chiso/built_empty"].value == "no data yet" for m in yearly)
    assert all(m["chiso/rebuilt_years"].value == "none" for m in yearly)
    gate = [e.materialization.metadata for e in result.get_asset_materialization_events()
            if e.asset_key == dg.AssetKey(["quality", "quality_results"])]
    assert gate and gate[0]["checks"].value > 0


def test_a_new_home_parses_the_dbt_project_once(dossiers_only) -> None:
    """The first dbt step parses the project (the test's warehouse is not the one `make setup`
    parsed for); the others start from its parse, which dbt takes as it is (same project,
    profile and environment) instead of parsing it all again."""
    home, _ = dossiers_only
    # dbt rolls its log over at 10 MB (dbt.log.1, ...)
    logs = {step.name: "".join(log.read_text(encoding="utf-8") for log in step.glob("dbt.log*"))
            for step in (home / "dbt_target").iterdir() if (step / "dbt.log").exists()}
    assert set(logs) == {"dbt_models", "dbt_yearly_models", "dbt_monthly_models",
                         "dbt_published_models"}
    assert "Unable to do partial parsing" in logs.pop("dbt_models")
    for step, log in logs.items():
        assert "Unable to do partial parsing" not in log, step
        assert "Partial parsing enabled" in log, step
