"""The quality gate (SPEC 4): Great Expectations suites over the anomaly and consistency
tables dbt built, the steward decisions, and the results the published models read to
withhold a unit (and only that unit) until a steward has decided.

A run whose gate inputs (the raw data and the dbt code the metric marts are built from, the
decision files, the suites, the gate's code: `quality.fingerprint`) are the same as at the last
gate run reuses that run's results and report: it neither imports Great Expectations nor
validates again (`ops.build_watermarks`, name `quality_gate`)."""

import dagster as dg

from foundation import settings
from orchestration.defs.dossiers.assets import dbt_monthly_models
from orchestration.defs.surveys.assets import dbt_yearly_models
from orchestration.defs.warehouse.assets import dbt_models
from orchestration.lib import dirty_periods
from orchestration.lib.dbt_project import MANIFEST
from orchestration.lib.resources import WarehouseResource

GROUP = "quality"
WATERMARK = "quality_gate"
# what the gate reads: the anomaly metrics and the marts its consistency suites check
QUALITY_INPUTS = [key for key in (*dbt_models.keys, *dbt_monthly_models.keys,
                                  *dbt_yearly_models.keys)
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
    """Validate, record the results and decisions, write the stewards' report — or reuse the
    last run's when none of the gate's inputs changed."""
    from quality.fingerprint import gate_fingerprint
    from quality.ground_truth import describe, score
    from quality.paths import decisions_dir
    from quality.runner import previous_run, run_quality
    from quality.suites import load_suite_files

    with warehouse.connect() as con:
        fingerprint = gate_fingerprint(con, load_suite_files(), decisions_dir(),
                                       dirty_periods.project_checksums(MANIFEST))
        mark = dirty_periods.previous_watermark(con, WATERMARK)
        last = previous_run(con)
    # the watermark names the gate run that judged these inputs; the publication follows the
    # latest run, so only that one may be reused
    if last is not None and mark is not None and mark.fingerprint == f"{fingerprint}|{last.run_id}":
        run, reused = last, True
        context.log.info(f"quality gate inputs unchanged since quality run {run.run_id}: "
                         "reusing its results and report (no validation, Data Docs kept)")
    else:
        # the runner opens the warehouse itself (Great Expectations through SQLAlchemy); this
        # step holds no other connection to it meanwhile
        run, reused = run_quality(warehouse.resolved_path), False
        with warehouse.connect() as con:
            dirty_periods.save_watermark(
                con, WATERMARK, dirty_periods.Watermark(None, f"{fingerprint}|{run.run_id}"),
                None, context.run.run_id)
    blocked = {(u.index_code, u.unit_key, u.period_start) for u in run.blocked_units}
    failed = [c for c in run.checks if not c.passed]
    context.log.info(f"stewards' report: {run.report}")
    truth = settings.inbox_dir() / "_ground_truth.json"  # a generated sample says what it planted
    against_truth = describe(score(run.results, truth)) if truth.exists() else None
    yield dg.MaterializeResult(asset_key=["quality", "quality_results"], metadata={
        "quality_run": run.run_id, "reused": reused, "checks": len(run.checks),
        "checks_failed": len(failed), "unit_periods_withheld": len(blocked),
        "report": dg.MetadataValue.path(str(run.report)),
        "data_docs": dg.MetadataValue.path(str(run.data_docs)),
        **({"flags_vs_ground_truth": against_truth} if against_truth else {})})
    yield dg.MaterializeResult(asset_key=["quality", "steward_decisions"],
                               metadata={"quality_run": run.run_id, "reused": reused})
