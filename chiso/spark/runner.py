"""`chiso spark-build`: the warehouse's raw layer exported to the lake, registered in Spark,
the dbt project built on Spark, and (local Spark) every relation compared with DuckDB's."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chiso.spark.build import LOCAL_TARGET, DbtRun, build, register_lake, spark_session
from chiso.spark.compare import Comparison, compare_relations, relations_from_manifest, spark_reader
from chiso.spark.lake import LakeTable, export_lake


@dataclass
class SparkBuildReport:
    lake_tables: list[LakeTable] = field(default_factory=list)
    export_seconds: float = 0.0
    runs: list[DbtRun] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    compare_seconds: float = 0.0

    @property
    def success(self) -> bool:
        return all(run.success for run in self.runs) \
            and all(c.agrees for c in self.comparisons)


class SparkBuildError(RuntimeError):
    pass


def run_on_spark(*, warehouse: Path, lake: Path, spark_home: Path, target: str = LOCAL_TARGET,
                 lake_location: str | None = None, threads: int | None = None,
                 select: Sequence[str] = (), dbt_vars: dict[str, str] | None = None,
                 export: bool = True, compare: bool = True,
                 say: Callable[[str], None] = print,
                 on_comparison: Callable[[Comparison], None] | None = None) -> SparkBuildReport:
    """Export (unless `export` is false: the lake as it is), register, build, compare.
    `lake_location` is where Spark reads the lake (default: the local folder)."""
    report = SparkBuildReport()
    if export:
        started = time.perf_counter()
        report.lake_tables = export_lake(warehouse, lake)
        report.export_seconds = time.perf_counter() - started
        say(f"lake: {len(report.lake_tables)} tables, "
            f"{sum(t.rows for t in report.lake_tables):,} rows in {lake} "
            f"({report.export_seconds:.1f} s)")
    tables = sorted(f"{p.parent.name}.{p.name}" for p in lake.glob("*/*") if p.is_dir())
    if not tables:
        raise SparkBuildError(f"the lake {lake} is empty: export the warehouse first")
    registered = register_lake(lake_location or str(lake), tables, spark_home=spark_home,
                               target=target)
    report.runs.append(registered)
    if not registered.success:
        raise SparkBuildError(f"registering the lake failed: {registered.error}")
    say(f"spark: {len(tables)} lake tables registered ({registered.seconds:.1f} s, "
        "Spark start-up included)")
    built = build(spark_home=spark_home, target=target, threads=threads, select=select,
                  dbt_vars=dbt_vars)
    report.runs.append(built)
    say(f"spark: dbt build {'passed' if built.success else 'FAILED'} in {built.seconds:.1f} s "
        f"({len(built.nodes)} nodes, {len(built.failures)} failed)")
    if compare and target == LOCAL_TARGET:
        started = time.perf_counter()
        relations = relations_from_manifest(spark_home / "target" / "manifest.json")
        if select:  # only what this build touched
            touched = {n.unique_id for n in built.nodes}
            relations = [r for r in relations if r.unique_id in touched]
        report.comparisons = compare_relations(warehouse, relations, spark_reader(spark_session()),
                                               on_comparison)
        report.compare_seconds = time.perf_counter() - started
    return report
