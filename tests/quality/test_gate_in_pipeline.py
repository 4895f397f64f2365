"""The quality gate inside the real job (the session's `pipeline_runs`): each check reported as a
Dagster asset check on the mart it judges, from the same results table the publication reads;
a failed check withholds its units, not the publication; a run whose gate inputs did not change
reuses the last gate run instead of validating again."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import PipelineRuns

pytestmark = pytest.mark.e2e

SURVEY_MART = dg.AssetKey(["marts", "quality_survey_anomalies"])


def gate_metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (event,) = [e for e in result.get_asset_materialization_events()
                if e.asset_key == dg.AssetKey(["quality", "quality_results"])]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def check_evaluations(result: dg.ExecuteInProcessResult
                      ) -> dict[tuple[dg.AssetKey, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}


def test_every_check_is_an_asset_check_on_the_mart_it_judges(pipeline_runs: PipelineRuns) -> None:
    first = pipeline_runs.first
    evaluations = check_evaluations(first)
    run_id = gate_metadata(first)["quality_run"]
    con = duckdb.connect(str(pipeline_runs.after_first), read_only=True)
    try:
        failing = dict(con.execute("""
            select check_name, count(distinct unit_key || ' ' || strftime(period_start, '%Y-%m'))
            from quality.quality_results
            where run_id = ? and not passed group by 1""", [run_id]).fetchall())
        checks = {r[0] for r in con.execute(
            "select distinct check_name from quality.quality_results where run_id = ?",
            [run_id]).fetchall()}
    finally:
        con.close()
    for name in ("survey_straight_lining", "survey_near_duplicates", "survey_interviewer_variance",
                 "survey_margin_of_error"):
        assert (SURVEY_MART, name) in evaluations, name
    assert (dg.AssetKey(["marts", "quality_dossier_agency_anomalies"]),
            "dossier_deadline_bunching") in evaluations
    reported = {name: e for (_, name), e in evaluations.items() if name in checks}
    assert set(reported) == checks  # every check of the gate, and each once
    for name, evaluation in reported.items():
        # the same verdict and the same units as the results table the publication reads
        assert evaluation.passed == (name not in failing), name
        assert evaluation.metadata["quality_run"].value == run_id
        if failing.get(name):  # a unit-level check names its units (a table-level one has none)
            units = evaluation.metadata["failed_units"].value
            assert len([u for u in units.split(", ") if u]) == min(failing[name], 50), name
        assert evaluation.severity in (dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN)
    assert failing, "the small sample plants noisy provinces and gaming agencies"


def test_a_failed_check_withholds_its_units_not_the_publication(
        pipeline_runs: PipelineRuns) -> None:
    first = pipeline_runs.first
    assert first.success
    failed_errors = [e for e in check_evaluations(first).values()
                     if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
                     and e.metadata.get("layer") and e.metadata["layer"].value == "anomaly"]
    assert failed_errors
    published = [e for e in first.get_asset_materialization_events()
                 if e.asset_key == dg.AssetKey(["publication", "published_file"])]
    assert published  # the publication ran despite the failed error checks
    con = duckdb.connect(str(pipeline_runs.after_first), read_only=True)
    try:
        statuses = dict(con.execute("select publication_status, count(*) "
                                    "from published.publication_status group by 1").fetchall())
    finally:
        con.close()
    assert statuses["withheld"] > 0 and statuses["published"] > 10 * statuses["withheld"]
    # the stewards' report names each check's severity in Vietnamese, never the suite's word
    report = Path(str(gate_metadata(first)["report"])).read_text(encoding="utf-8")
    severities = re.findall(r"<td>(lỗi \(giữ lại\)|cảnh báo|error|warn)</td>", report)
    assert "lỗi (giữ lại)" in severities and set(severities) <= {"lỗi (giữ lại)", "cảnh báo"}


def test_unchanged_gate_inputs_reuse_the_last_gate_run(pipeline_runs: PipelineRuns) -> None:
    new_month, nothing_new = gate_metadata(pipeline_runs.new_month), \
        gate_metadata(pipeline_runs.nothing_new)
    assert gate_metadata(pipeline_runs.first)["reused"] is False
    assert new_month["reused"] is False  # September arrived: the gate validated again
    assert nothing_new["reused"] is True
    assert nothing_new["quality_run"] == new_month["quality_run"]
    assert nothing_new["report"] == new_month["report"]
    # the asset checks still report, from the reused run's results
    evaluations = check_evaluations(pipeline_runs.nothing_new)
    assert (SURVEY_MART, "survey_straight_lining") in evaluations
    assert {e.metadata["quality_run"].value for e in evaluations.values()
            if "quality_run" in e.metadata} == {new_month["quality_run"]}
