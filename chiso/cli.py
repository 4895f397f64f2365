"""The `chiso` command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from foundation import settings
from sample_generator.config import PAPI_FULL_SIZE

if TYPE_CHECKING:
    import duckdb

# markdown: a docstring wrapped at 100 columns reads as one paragraph in --help
app = typer.Typer(help="chiso: PAR indicators pipeline and warehouse.", no_args_is_help=True,
                  rich_markup_mode="markdown")
# logs and CI are not terminals: keep the summary tables readable there too
console = Console(width=None if Console().is_terminal else 130)


@app.command()
def generate(
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 20251,
    dossiers: Annotated[int, typer.Option(help="Number of dossiers.")] = 300_000,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = "2024-01-01",
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")] = "2025-12-31",
    respondents: Annotated[int, typer.Option(help="SIPAS respondents per province.")] = 120,
    papi_respondents: Annotated[int, typer.Option(
        help="PAPI respondents per province (~16 a village; the real survey's size by "
             "default).")]
    = PAPI_FULL_SIZE,
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
        papi_respondents_per_province=papi_respondents,
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


def _period_key(value: str | None, option: str) -> str | None:
    """A month (YYYY-MM) as its partition key `YYYY-MM-01`, a year (YYYY) as `YYYY`."""
    if value is None:
        return None
    for pattern, key in (("%Y-%m", "%Y-%m-%d"), ("%Y", "%Y")):
        try:
            return dt.datetime.strptime(value, pattern).strftime(key)
        except ValueError:
            continue
    raise typer.BadParameter(f"{option} takes a month (YYYY-MM) or a year (YYYY), got {value!r}")


@app.command()
def run(
    period_from: Annotated[str | None, typer.Option(
        "--from", help="First month (YYYY-MM) or year (YYYY) to rebuild; with --to, exactly "
                       "those months (dossier marts) or years (survey indices).")] = None,
    period_to: Annotated[str | None, typer.Option(
        "--to", help="Last month (YYYY-MM) or year (YYYY) to rebuild.")] = None,
) -> None:
    """Run the pipeline job (the one the schedules, the sensor and the UI run): load the inbox,
    build the warehouse, rebuild the months and years new data touched (or --from/--to), check
    and publish."""
    import time

    from chiso import runtime

    first, last = _period_key(period_from, "--from"), _period_key(period_to, "--to")
    if (first is None) != (last is None):
        raise typer.BadParameter("--from and --to go together")
    if first is not None and last is not None:
        if len(first) != len(last):
            raise typer.BadParameter("--from and --to are both months or both years")
        if first > last:
            raise typer.BadParameter(f"--from {period_from} is after --to {period_to}")
    runtime.ensure_dagster_home()
    key_file = runtime.ensure_pii_key()
    if key_file:
        console.print(f"[yellow]CHISO_PII_KEY is not set: using the local demo key in {key_file}. "
                      "Set CHISO_PII_KEY to your own secret for real data.[/yellow]")
    import dagster as dg

    from chiso.run_summary import print_run_summary
    from orchestration.definitions import defs
    from orchestration.lib.dbt_project import stale_dbt_files
    from orchestration.lib.launch import run_pipeline

    stale = stale_dbt_files()
    if stale:
        console.print(f"[red]the dbt manifest is older than {', '.join(stale[:3])}"
                      f"{' …' if len(stale) > 3 else ''}: run `make setup` first[/red]")
        raise typer.Exit(code=2)
    started = time.perf_counter()
    asked = (first, last) if first is not None and last is not None else None
    months = asked if asked is not None and len(asked[0]) > 4 else None
    years = (int(asked[0]), int(asked[1])) if asked is not None and months is None else None
    with dg.DagsterInstance.get() as instance:
        result = run_pipeline(defs, instance, months=months, years=years)
    print_run_summary(console, result, time.perf_counter() - started)
    if not result.success:
        raise typer.Exit(code=1)
    _print_indices()


def _print_indices() -> None:
    """The last year's PAR INDEX and SIPAS, read from the warehouse once the run is done."""
    import duckdb

    from chiso.index_report import print_index_report
    from foundation import duckdb_limits

    con = duckdb_limits.connect(settings.warehouse_path(), read_only=True)
    try:
        print_index_report(con, console)
    except duckdb.CatalogException:
        console.print("[yellow]no survey index built yet (no survey or PAR files)[/yellow]")
    finally:
        con.close()


@app.command("dagster-home")
def dagster_home() -> None:
    """Create Dagster's local storage under CHISO_HOME (with its run queue) and print where."""
    from chiso import runtime

    console.print(str(runtime.ensure_dagster_home()))


@app.command()
def publications(
    at: Annotated[str | None, typer.Option(
        help="A year, a month (2025-03), a day (2025-03-15) or a time: the publication in force "
             "then and how to open it.")] = None,
) -> None:
    """List the publications kept under CHISO_HOME/publications (newest first)."""
    from publication import history

    folder = settings.publications_dir()
    entries = history.list_publications(folder)
    if not entries:
        console.print(f"no publication yet in {folder}")
        raise typer.Exit(code=0 if at is None else 1)
    if at is None:
        table = Table(title=f"publications in {folder}")
        for column in ("published at", "name", "run id", "code version", "tables", "rows",
                       "on disk"):
            table.add_column(column, justify="right" if column == "rows" else "left")
        for e in entries:
            table.add_row(e.published_at, e.name, e.run_id, e.code_version, str(len(e.tables)),
                          f"{sum(e.tables.values()):,}", "yes" if e.on_disk else "removed")
        console.print(table)
        console.print(f"in force now: {settings.published_path()}")
        return
    try:
        entry = history.in_force_at(folder, at)
    except ValueError as error:
        console.print(f"[red]--at {at}: {error}; "
                      "give 2025, 2025-03, 2025-03-15 or an ISO time[/red]")
        raise typer.Exit(code=2) from error
    if entry is None:
        console.print(f"nothing had been published by the end of {at}")
        raise typer.Exit(code=1)
    during = history.published_during(folder, at) if len(at) == 7 else []
    console.print(f"in force at the end of {at}: [bold]{entry.name}[/bold] "
                  f"(run {entry.run_id}, published {entry.published_at}, "
                  f"code {entry.code_version})")
    if len(during) > 1:
        console.print(f"{len(during)} publications were made during {at}: "
                      + ", ".join(e.name for e in during))
    if not entry.on_disk:
        console.print(f"[yellow]its file is no longer kept (only the newest "
                      f"{settings.publications_kept()} are; CHISO_PUBLICATIONS_KEPT)[/yellow]")
        raise typer.Exit(code=1)
    path = folder / entry.file
    console.print(f"open it read-only:\n  duckdb -readonly {path}\n"
                  f"  python -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
                  f".sql('show tables').show()\"\n"
                  f"exports and dashboard: {folder / entry.exports}")


@app.command()
def inbox(
    reasons: Annotated[bool, typer.Option(help="Also list why rows were quarantined.")] = True,
) -> None:
    """What the inbox gave the warehouse: every input loaded, skipped or rejected, and why."""
    from foundation import duckdb_limits
    from ingestion.inventory import inbox_inventory

    path = settings.warehouse_path()
    if not path.exists():
        console.print(f"no warehouse at {path} yet: run `chiso run` first")
        raise typer.Exit(code=1)
    with duckdb_limits.connect(path, read_only=True) as con:
        found = inbox_inventory(con)
        set_aside = consistency_flags(con)
    table = Table(title=f"inbox as loaded into {path}")
    for column in ("input", "family", "status", "encoding", "in", "loaded", "quarantined",
                   "repaired", "reason"):
        table.add_column(column, justify="right" if column in (
            "in", "loaded", "quarantined", "repaired") else "left")
    for f in found.files:
        table.add_row(f.source_file, f.family or "", f.status, f.encoding or "",
                      f"{f.rows_in:,}", f"{f.rows_loaded:,}", f"{f.rows_quarantined:,}",
                      f"{f.rows_repaired:,}", f.reason or "")
    console.print(table)
    if reasons and found.reasons:
        why = Table(title="quarantined rows by reason")
        for column in ("input", "rows", "reason"):
            why.add_column(column, justify="right" if column == "rows" else "left")
        for q in found.reasons:
            why.add_row(q.source_file, f"{q.rows:,}", q.reason)
        console.print(why)
    if reasons and set_aside:
        flags = Table(title="dossiers set aside by the consistency checks "
                            "(intermediate.int_dossier__consistency_flags)")
        for column in ("province", "dossiers", "reason"):
            flags.add_column(column, justify="right" if column == "dossiers" else "left")
        for province, dossiers, reason in set_aside:
            flags.add_row(province or "unknown", f"{dossiers:,}", reason)
        console.print(flags)
    console.print(f"{found.count('loaded')} loaded, {found.count('rejected')} rejected")


@app.command("spark-build")
def spark_build(
    threads: Annotated[int | None, typer.Option(
        help="dbt threads (default: CHISO_SPARK_THREADS, else 4 locally, 8 on a cluster).")]
    = None,
    target: Annotated[str, typer.Option(
        help="`spark` (local, in this process) or `spark_cluster` (a Thrift server, "
             "CHISO_SPARK_HOST).")] = "spark",
    lake_location: Annotated[str | None, typer.Option(
        help="Where Spark reads the lake (e.g. s3a://bucket/chiso/lake); default the local "
             "folder CHISO_LAKE.")] = None,
    month_from: Annotated[str | None, typer.Option(
        "--from", help="Rebuild only the monthly marts of these months (YYYY-MM), with --to.")]
    = None,
    month_to: Annotated[str | None, typer.Option("--to", help="Last month (YYYY-MM).")] = None,
    export: Annotated[bool, typer.Option(
        help="Export the warehouse's raw layer to the lake first (--no-export: the lake as is).")]
    = True,
    compare: Annotated[bool, typer.Option(
        help="Compare every relation with DuckDB's afterwards (local Spark only).")] = True,
) -> None:
    """Build the dbt project on Apache Spark (the `spark` extra and a Java 17 runtime): the
    warehouse's raw layer goes to the lake as Parquet, Spark registers it, dbt builds every
    model on Spark, and each relation is compared row for row with DuckDB's."""
    from chiso.spark.build import month_partition
    from chiso.spark.runner import SparkBuildError, run_on_spark

    if (month_from is None) != (month_to is None):
        raise typer.BadParameter("--from and --to go together")
    dbt_vars, select = None, ()
    if month_from is not None and month_to is not None:
        for value, option in ((month_from, "--from"), (month_to, "--to")):
            if len(_period_key(value, option) or "") != len("YYYY-MM-01"):
                raise typer.BadParameter(f"{option} takes a month as YYYY-MM, got {value!r}")
        try:
            dbt_vars = month_partition(month_from, month_to)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error
        select = ("tag:monthly",)
    try:
        report = run_on_spark(
            warehouse=settings.warehouse_path(), lake=settings.lake_dir(),
            spark_home=settings.spark_home(), target=target, lake_location=lake_location,
            threads=threads, select=select, dbt_vars=dbt_vars, export=export, compare=compare,
            say=console.print)
    except (SparkBuildError, FileNotFoundError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from error
    for run in report.runs:
        for failure in run.failures:
            console.print(f"[red]{failure.status}: {failure.unique_id}[/red] "
                          f"{(failure.message or '').strip()[:300]}")
    if report.comparisons:
        table = Table(title="DuckDB and Spark, relation by relation")
        for column in ("relation", "duckdb rows", "spark rows", "verdict"):
            table.add_column(column, justify="right" if column.endswith("rows") else "left")
        for c in report.comparisons:
            table.add_row(c.relation.qualified_name, f"{c.duckdb_rows:,}", f"{c.spark_rows:,}",
                          c.verdict if c.agrees else f"[red]{c.verdict}[/red]")
        console.print(table)
        disagree = [c for c in report.comparisons if not c.agrees]
        for c in disagree:
            for example in c.examples:
                console.print(f"  {c.relation.qualified_name}: {example}")
        console.print(f"{len(report.comparisons) - len(disagree)} of {len(report.comparisons)} "
                      f"relations agree ({report.compare_seconds:.1f} s to compare)")
    if not report.success:
        raise typer.Exit(code=1)


def consistency_flags(con: duckdb.DuckDBPyConnection) -> list[tuple[str | None, int, str]]:
    """Dossiers the warehouse set aside, per province and reason (none before a first build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'intermediate' "
        "and table_name = 'int_dossier__consistency_flags'").fetchone()[0]
    if not exists:
        return []
    return con.execute(
        "select province_key, count(distinct dossier_id), reason "
        "from intermediate.int_dossier__consistency_flags group by all "
        "order by 2 desc, 1, 3").fetchall()


if __name__ == "__main__":
    app()
