"""What a pipeline run did, read from its events: per source family, the months and years it
rebuilt, and the steps that failed."""

from __future__ import annotations

import dagster as dg
from rich.console import Console
from rich.table import Table

from orchestration.defs.ingestion.assets import RAW_TABLES

COLUMNS = {"files": "files", "files_skipped": "skipped", "files_rejected": "rejected",
           "rows_in": "rows in", "rows_loaded": "loaded", "rows_quarantined": "quarantined",
           "rows_new": "new", "seconds": "seconds"}


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


def rebuilt(result: dg.ExecuteInProcessResult, grain: str) -> str:
    """The months (grain "month") or years ("year") the run rebuilt, as its partitioned build
    recorded them (`chiso/rebuilt_months`, `chiso/rebuilt_years`)."""
    key = f"chiso/rebuilt_{grain}s"
    spans = {str(e.materialization.metadata[key].value)
             for e in result.get_asset_materialization_events()
             if key in e.materialization.metadata}
    spans.discard("none")
    return ", ".join(sorted(spans)) or "none"


def failure_description(event: dg.DagsterEvent) -> str | None:
    """What a failed step said: its Failure's description (which file or unit, and why)."""
    data = event.step_failure_data
    if data is None:
        return None
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    return data.error.message.strip().splitlines()[0] if data.error else None


def print_run_summary(console: Console, result: dg.ExecuteInProcessResult,
                      seconds: float) -> None:
    table = Table(title="chiso run: ingestion by source family")
    table.add_column("family", no_wrap=True)
    for header in COLUMNS.values():
        table.add_column(header, justify="right", no_wrap=True)
    for family, m in sorted(family_rows(result).items()):
        table.add_row(family, *(f"{m.get(c, 0):,}" for c in COLUMNS))
    console.print(table)
    unattributed = [e.materialization.metadata.get("files_unattributed")
                    for e in result.get_asset_materialization_events()
                    if e.asset_key and e.asset_key.path == ["raw", "load_manifest"]]
    if unattributed and unattributed[0] is not None and unattributed[0].value:
        console.print(f"[yellow]{unattributed[0].value} files rejected before their family was "
                      f"known (not in the table above): `chiso inbox` says why[/yellow]")
    models = len({e.asset_key for e in result.get_asset_materialization_events()
                  if e.asset_key and e.asset_key.path[0] not in ("raw", "publication")})
    status = "[green]succeeded[/green]" if result.success else "[red]FAILED[/red]"
    console.print(f"chiso_pipeline: run {result.run_id[:8]} {status}; {models} dbt models "
                  f"materialised; monthly marts rebuilt for {rebuilt(result, 'month')}, "
                  f"survey indices for {rebuilt(result, 'year')}")
    for event in (e for e in result.all_events if e.is_step_failure):
        console.print(f"[red]step failed: {event.step_key}[/red] (see the run in the Dagster UI)")
        why = failure_description(event)
        if why:
            console.print(f"[red]{why}[/red]")
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name == "units_within_bad_share" and evaluation.passed:
            set_aside = evaluation.metadata.get("dossiers_set_aside_this_run")
            if set_aside is not None and set_aside.value:
                console.print(f"[yellow]{set_aside.value} dossiers of this run set aside by the "
                              f"consistency checks: `chiso inbox` says why[/yellow]")
    for event in result.get_asset_materialization_events():
        meta = event.materialization.metadata
        if event.asset_key and "chiso/skipped" in meta and event.asset_key.path == [
                "publication", "published_file"]:
            console.print(f"{event.asset_key.path[-1].replace('_', ' ')}: nothing new since the "
                          f"last run, not run again")
            continue
        if event.asset_key and event.asset_key.path == ["quality", "quality_results"]:
            reused = ("; inputs unchanged, results and report of quality run "
                      f"{meta['quality_run'].value} reused"
                      if "reused" in meta and meta["reused"].value else "")
            console.print(f"quality gate: {meta['checks'].value} checks, "
                          f"{meta['checks_failed'].value} failed, "
                          f"{meta['unit_periods_withheld'].value} unit-periods withheld{reused}; "
                          f"stewards' report: {meta['report'].value}")
            if "flags_vs_ground_truth" in meta:
                console.print("flags against the sample's ground truth:\n"
                              + str(meta["flags_vs_ground_truth"].value))
        if event.asset_key and event.asset_key.path == ["publication", "published_file"]:
            console.print(f"published: {event.materialization.metadata['path'].value}")
    verdict = "[green]done[/green]" if result.success else "[red]failed[/red]"
    console.print(f"{verdict} in {seconds:.1f} s")
