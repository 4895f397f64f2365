"""What a run did, per source family, read from its materialisation metadata."""

from __future__ import annotations

import dagster as dg
from rich.console import Console
from rich.table import Table

from orchestration.defs.ingestion import RAW_TABLES
from orchestration.runs import PipelineResult


def family_rows(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for event in result.get_asset_materialization_events():
        key = event.asset_key
        if key is None or key.path[0] != "raw" or key.path[-1] not in RAW_TABLES:
            continue
        family = RAW_TABLES[key.path[-1]]
        metadata = event.materialization.metadata
        # an answers table repeats its survey family's numbers: count each family once
        rows.setdefault(family, {k: v.value for k, v in metadata.items()})
    return rows


def _dbt_assets(result: dg.ExecuteInProcessResult) -> int:
    return sum(1 for e in result.get_asset_materialization_events()
               if e.asset_key and e.asset_key.path[0] != "raw")


def _report(console: Console, name: str, result: dg.ExecuteInProcessResult) -> None:
    status = "[green]succeeded[/green]" if result.success else "[red]FAILED[/red]"
    console.print(f"{name}: run {result.run_id[:8]} {status}; "
                  f"{_dbt_assets(result)} dbt asset materialisations")
    for step in (e.step_key for e in result.all_events if e.is_step_failure):
        console.print(f"[red]step failed: {step}[/red] (see the run in the Dagster UI)")


def print_run_summary(console: Console, result: PipelineResult, seconds: float) -> None:
    table = Table(title="chiso run: ingestion by source family")
    columns = {"files": "files", "files_skipped": "skipped", "files_rejected": "rejected",
               "rows_in": "rows in", "rows_loaded": "loaded", "rows_quarantined": "quarantined",
               "rows_new": "new", "seconds": "seconds"}
    table.add_column("family", no_wrap=True)
    for header in columns.values():
        table.add_column(header, justify="right", no_wrap=True)
    for family, m in sorted(family_rows(result.full).items()):
        table.add_row(family, *(f"{m.get(c, 0):,}" for c in columns))
    console.print(table)
    _report(console, "chiso_full_run", result.full)
    if result.monthly is not None and result.months is not None:
        _report(console, f"chiso_monthly_run {result.months[0]}..{result.months[1]}",
                result.monthly)
    verdict = "[green]done[/green]" if result.success else "[red]failed[/red]"
    console.print(f"{verdict} in {seconds:.1f} s")
