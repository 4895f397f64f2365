"""The `chiso` command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from foundation import settings

app = typer.Typer(help="chiso: PAR indicators pipeline and warehouse.", no_args_is_help=True)
# logs and CI are not terminals: keep the summary tables readable there too
console = Console(width=None if Console().is_terminal else 130)


@app.command()
def generate(
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 20251,
    dossiers: Annotated[int, typer.Option(help="Number of dossiers.")] = 300_000,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = "2024-01-01",
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")] = "2025-12-31",
    respondents: Annotated[int, typer.Option(help="SIPAS respondents per province.")] = 120,
    malformed_share: Annotated[float, typer.Option(help="Share of rows per malformed kind.")]
    = 0.002,
    noisy_provinces: Annotated[int, typer.Option(help="Provinces with noisy surveys.")] = 3,
    inbox: Annotated[Path | None, typer.Option(help="Where to write (default CHISO_HOME/inbox).")]
    = None,
) -> None:
    """Write a realistic sample of every input family, with injected defects and their
    ground truth (`_ground_truth.json`)."""
    from sample_generator.config import DefectRates, SampleConfig
    from sample_generator.generate import GROUND_TRUTH
    from sample_generator.generate import generate as run_generator

    config = SampleConfig(
        seed=seed,
        dossiers=dossiers,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        survey_respondents_per_province=respondents,
        defects=DefectRates(
            malformed_share=malformed_share, noisy_survey_provinces=noisy_provinces
        ),
    )
    target = inbox or settings.inbox_dir()
    with console.status(f"generating {dossiers:,} dossiers into {target} ..."):
        summary = run_generator(config, target)
    table = Table(title=f"sample written to {target}")
    for column in ("family", "files", "rows", "formats"):
        table.add_column(column, justify="right" if column in ("files", "rows") else "left")
    by_family: dict[str, list] = {}
    for f in summary.truth.files:
        by_family.setdefault(f.family, []).append(f)
    for family, files in sorted(by_family.items()):
        table.add_row(family, str(len(files)), f"{sum(f.rows for f in files):,}",
                      ", ".join(sorted({f.format for f in files})))
    console.print(table)
    kinds: dict[str, int] = {}
    for d in summary.truth.defects:
        kinds[d.kind] = kinds.get(d.kind, 0) + max(len(d.rows), 1)
    console.print("injected defects: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    console.print(
        f"{summary.dossiers:,} dossiers, {summary.rows:,} rows in {len(summary.truth.files)} "
        f"files in {summary.seconds:.1f} s ({summary.rows / summary.seconds:,.0f} rows/s); "
        f"ground truth in {target / GROUND_TRUTH}"
    )


@app.command()
def run() -> None:
    """Load the inbox and build the warehouse through the real Dagster definitions."""
    import time

    from chiso import runtime

    runtime.ensure_dagster_home()
    key_file = runtime.ensure_pii_key()
    if key_file:
        console.print(f"[yellow]CHISO_PII_KEY is not set: using the local demo key in {key_file}. "
                      "Set CHISO_PII_KEY to your own secret for real data.[/yellow]")
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.transform import stale_dbt_files
    from orchestration.runs import run_pipeline
    from orchestration.summary import print_run_summary

    stale = stale_dbt_files()
    if stale:
        console.print(f"[red]the dbt manifest is older than {', '.join(stale[:3])}"
                      f"{' …' if len(stale) > 3 else ''}: run `make setup` first[/red]")
        raise typer.Exit(code=2)
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = run_pipeline(defs, instance)
    print_run_summary(console, result, time.perf_counter() - started)
    if not result.success:
        raise typer.Exit(code=1)


@app.command()
def quality() -> None:
    """Run the quality gate on the warehouse: checks, results, decisions, publication status and
    the stewards' report (until the Dagster graph runs it as asset checks)."""
    import os

    from dbt.cli.main import dbtRunner

    from quality.ground_truth import describe, score
    from quality.runner import run_quality

    run = run_quality()
    os.environ.setdefault("CHISO_WAREHOUSE", str(settings.warehouse_path()))
    built = dbtRunner().invoke(["build", "--select", "publication_status", "--quiet",
                                "--project-dir", str(settings.DBT_PROJECT_DIR),
                                "--profiles-dir", str(settings.DBT_PROJECT_DIR)])
    failed = [c for c in run.checks if not c.passed]
    console.print(f"quality run {run.run_id}: {len(run.checks)} checks, {len(failed)} failed; "
                  f"{len({(r.index_code, r.unit_key, r.period_start) for r in run.blocked_units})} "
                  "unit-periods withheld")
    for check in failed:
        console.print(f"  [{'red' if check.severity == 'error' else 'yellow'}]{check.name}"
                      f"[/]: {check.metadata['failed_units'][:120]}")
    console.print(f"stewards' report: {run.report}")
    console.print(f"Data Docs: {run.data_docs}")
    truth = settings.inbox_dir() / "_ground_truth.json"
    if truth.exists():
        console.print("flags against the sample's ground truth:\n" + describe(score(run.results,
                                                                                    truth)))
    if not built.success:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
