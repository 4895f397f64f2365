"""The quality gate (SPEC 4): Great Expectations suites over the anomaly and consistency
tables dbt built, the steward decisions, and the results the published models read to
withhold a unit (and only that unit) until a steward has decided."""

from pathlib import Path

import dagster as dg

from foundation import settings
from orchestration.defs.dossiers.assets import dbt_monthly_models
from orchestration.defs.warehouse.assets import dbt_models
from orchestration.lib import step_inputs
from orchestration.lib.partitions import TOUCHED_TAG
from orchestration.lib.resources import WarehouseResource

GROUP = "quality"
STEP = "quality_gate"
# what the gate's results follow from: the builds' watermarks, and its own code
BUILDS = ("unpartitioned_models", "monthly_marts")
QUALITY_CODE = Path(__file__).resolve().parents[3] / "quality"
# what the gate reads: the anomaly metrics and the marts its consistency suites check
QUALITY_INPUTS = [key for key in (*dbt_models.keys, *dbt_monthly_models.keys)
                  if key.path[0] == "marts"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["quality", "quality_results"], group_name=GROUP, deps=QUALITY_INPUTS,
                     description="Every check of the run: unit, period, observed value, "
                                 "threshold, severity, passed, evidence.",
                     kinds={"duckdb", "python"}, owners=["team:data-stewards"]),
        dg.AssetSpec(["quality", "steward_decisions"], group_name=GROUP,
                     description="The steward decisions (CHISO_HOME/decisions/*.yaml) in force.",
                     kinds={"duckdb", "python"}, owners=["team:data-stewards"]),
    ],
    name="quality_gate",
)
def quality_gate(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Validate, record the results and decisions, write the stewards' report. A nightly run
    whose marts, decisions and suites are those of the last gate skips it: same results."""
    from quality.paths import decisions_dir
    from quality.suites import EXPECTATIONS_DIR

    with warehouse.connect() as con:
        inputs = step_inputs.fingerprint(
            step_inputs.watermarks_digest(con, BUILDS),
            step_inputs.files_digest(decisions_dir(), EXPECTATIONS_DIR, QUALITY_CODE))
        if context.run.tags.get(TOUCHED_TAG) == "touched" and step_inputs.unchanged(
                con, STEP, inputs):
            context.log.info("marts, decisions and suites as at the last gate: not run again")
            for key in (["quality", "quality_results"], ["quality", "steward_decisions"]):
                yield dg.MaterializeResult(asset_key=key, metadata={"chiso/skipped": "no change"})
            return
    from quality.ground_truth import describe, score  # Great Expectations: seconds to import
    from quality.runner import run_quality

    # the runner opens the warehouse itself (Great Expectations through SQLAlchemy); this step
    # holds no other connection to it meanwhile
    run = run_quality(warehouse.resolved_path)
    failed = [c for c in run.checks if not c.passed]
    blocked = {(u.index_code, u.unit_key, u.period_start) for u in run.blocked_units}
    for check in failed:
        context.log.warning(f"{check.severity}: {check.name}: "
                            f"{check.metadata.get('failed_units', '')!s:.200}")
    context.log.info(f"stewards' report: {run.report}")
    truth = settings.inbox_dir() / "_ground_truth.json"  # a generated sample says what it planted
    against_truth = describe(score(run.results, truth)) if truth.exists() else None
    yield dg.MaterializeResult(asset_key=["quality", "quality_results"], metadata={
        "quality_run": run.run_id, "checks": len(run.checks), "checks_failed": len(failed),
        "unit_periods_withheld": len(blocked), "report": dg.MetadataValue.path(str(run.report)),
        "data_docs": dg.MetadataValue.path(str(run.data_docs)),
        **({"flags_vs_ground_truth": against_truth} if against_truth else {})})
    yield dg.MaterializeResult(asset_key=["quality", "steward_decisions"],
                               metadata={"quality_run": run.run_id})
    with warehouse.connect() as con:
        step_inputs.record(con, STEP, inputs, context.run.run_id)
