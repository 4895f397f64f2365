"""What a run did, per source family, read from its materialisation metadata."""

from __future__ import annotations

import dagster as dg
from rich.console import Console
from rich.table import Table

from orchestration.defs.ingestion import RAW_TABLES


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


def print_run_summary(console: Console, result: dg.ExecuteInProcessResult, seconds: float) -> None:
    table = Table(title="chiso run: ingestion by source family")
    columns = {"files": "files", "files_skipped": "skipped", "files_rejected": "rejected",
               "rows_in": "rows in", "rows_loaded": "loaded", "rows_quarantined": "quarantined",
               "rows_new": "new", "seconds": "seconds"}
    table.add_column("family", no_wrap=True)
    for header in columns.values():
        table.add_column(header, justify="right", no_wrap=True)
    for family, m in sorted(family_rows(result).items()):
        table.add_row(family, *(f"{m.get(c, 0):,}" for c in columns))
    console.print(table)
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    models = sum(1 for e in result.get_asset_materialization_events()
                 if e.asset_key and e.asset_key.path[0] != "raw")
    status = "[green]succeeded[/green]" if result.success else "[red]FAILED[/red]"
    console.print(f"run {result.run_id[:8]} {status} in {seconds:.1f} s; "
                  f"{models} dbt assets materialised")
    for step in failed:
        console.print(f"[red]step failed: {step}[/red] (see the run in the Dagster UI)")
