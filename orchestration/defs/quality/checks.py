"""The quality gate's checks as Dagster asset checks: one per check, on the metric mart it
judges (the anomaly layer) or on the gate's results (the consistency and contract layers,
which judge tables and files rather than units). They report what the gate's latest run wrote
in `quality.quality_results` — one source of truth, nothing computed twice.

None is blocking in Dagster's sense: a failed check withholds the units it names (through
`published.publication_status`), never the publication of the other units."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg

from orchestration.lib.resources import WarehouseResource
from quality.suites import EXPECTATIONS_DIR, load_suite_files

RESULTS = dg.AssetKey(["quality", "quality_results"])
CONTRACT_CHECKS = {"contract_rows_accounted": "Every row of every file loaded or quarantined.",
                   "contract_quarantine_share": "At most 1% of a file's rows quarantined."}
TABLE = re.compile(r"\bfrom\s+([a-z_]+)\.([a-z_0-9]+)", re.IGNORECASE)

@dataclass(frozen=True)
class GateCheck:
    name: str
    layer: str
    asset: dg.AssetKey
    description: str

def gate_checks() -> list[GateCheck]:
    """Every check of the suite files: an anomaly check on the mart its suite queries."""
    out = [GateCheck(name, "contract", RESULTS, text) for name, text in CONTRACT_CHECKS.items()]
    for suite_file in load_suite_files(EXPECTATIONS_DIR):
        for suite in suite_file.suites:
            table = TABLE.search(suite.query)
            asset = (dg.AssetKey([table.group(1), table.group(2)])
                     if suite.layer == "anomaly" and table else RESULTS)
            out += [GateCheck(e.check, suite.layer, asset, e.meta["reason"])
                    for e in suite.expectations]
    return out

CHECKS = gate_checks()

@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec(check.name, asset=check.asset, description=check.description,
                             additional_deps=[RESULTS] if check.asset != RESULTS else None,
                             blocking=False)
           for check in CHECKS],
    can_subset=True,
    name="quality_gate_checks",
)
def quality_gate_checks(context: dg.AssetCheckExecutionContext,
                        warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
    """The latest gate run's outcome of each check: severity, the units that failed (withheld
    unless a steward released them), the units too small to judge."""
    from quality.results import check_outcomes, latest_run_id, load_results

    with warehouse.connect(read_only=True) as con:
        run_id = latest_run_id(con)
        outcomes = {o.name: o for o in check_outcomes(load_results(con, run_id)[1])} \
            if run_id else {}
    selected = {key.name for key in context.selected_asset_check_keys}
    for check in (c for c in CHECKS if c.name in selected):
        outcome = outcomes.get(check.name)
        if outcome is None:
            yield dg.AssetCheckResult(
                asset_key=check.asset, check_name=check.name, passed=False,
                description="not judged: the gate's latest run has no result for this check",
                metadata={"quality_run": run_id or ""})
            continue
        yield dg.AssetCheckResult(
            asset_key=check.asset, check_name=check.name, passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR if outcome.severity == "error"
            else dg.AssetCheckSeverity.WARN,
            metadata={"quality_run": run_id, **outcome.metadata})
