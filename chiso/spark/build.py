"""dbt on Spark, in this process: dbt-spark's session mode starts a local Spark (pyspark's own
jars) on the first query and keeps it for the process, so registering the lake, building and
comparing share one Spark. On a cluster (target `spark_cluster`) the same commands go through
the Thrift server."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from foundation.settings import DBT_PROJECT_DIR

LOCAL_TARGET = "spark"


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str
    seconds: float
    message: str | None


@dataclass(frozen=True)
class DbtRun:
    """One dbt invocation: whether it passed, its wall time, and every node's result."""

    command: tuple[str, ...]
    success: bool
    seconds: float
    nodes: tuple[NodeResult, ...]
    error: str | None

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]


@contextmanager
def spark_environment(spark_home: Path, *, threads: int | None = None) -> Iterator[None]:
    """The variables profiles.yml reads for the Spark targets, set for the duration."""
    values = {"CHISO_SPARK_HOME": str(spark_home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if threads is not None:
        values["CHISO_SPARK_THREADS"] = str(threads)
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_on_spark(args: Sequence[str], *, spark_home: Path, target: str = LOCAL_TARGET,
                 threads: int | None = None) -> DbtRun:
    """Run one dbt command against a Spark target. Its artefacts and logs go under
    `spark_home`, never into dbt_project/target, whose manifest Dagster reads."""
    from dbt.cli.main import dbtRunner

    spark_home.mkdir(parents=True, exist_ok=True)
    command = (*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target", target, "--target-path", str(spark_home / "target"),
               "--log-path", str(spark_home / "logs"))
    started = time.perf_counter()
    with spark_environment(spark_home, threads=threads):
        outcome = dbtRunner().invoke(list(command))
    seconds = time.perf_counter() - started
    nodes = tuple(
        NodeResult(r.node.unique_id if hasattr(r, "node") else r.unique_id, str(r.status),
                   float(r.execution_time or 0.0), r.message)
        for r in getattr(outcome.result, "results", None) or ())
    return DbtRun(tuple(args), bool(outcome.success), seconds, nodes,
                  None if outcome.exception is None else str(outcome.exception))


def register_lake(location: str, tables: Sequence[str], *, spark_home: Path,
                  target: str = LOCAL_TARGET) -> DbtRun:
    """Register every lake folder as a Spark table (macros/spark_lake.sql)."""
    arguments = yaml.safe_dump({"location": location, "tables": list(tables)},
                               default_flow_style=True, width=1 << 20).strip()
    return dbt_on_spark(["run-operation", "register_lake_tables", "--args", arguments],
                        spark_home=spark_home, target=target)


def month_partition(first_month: str, last_month: str) -> dict[str, str]:
    """The dbt vars of a monthly partition rebuild from YYYY-MM to YYYY-MM (both included)."""
    start = dt.date.fromisoformat(f"{first_month}-01")
    last = dt.date.fromisoformat(f"{last_month}-01")
    end = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    if end <= start:
        raise ValueError(f"{first_month} is after {last_month}")
    return {"partition_start": start.isoformat(), "partition_end": end.isoformat()}


def build(*, spark_home: Path, target: str = LOCAL_TARGET, threads: int | None = None,
          select: Sequence[str] = (), dbt_vars: dict[str, Any] | None = None) -> DbtRun:
    """`dbt build` (seeds, models, unit and data tests) on Spark."""
    args = ["build"]
    if select:
        args += ["--select", *select]
    if dbt_vars:
        args += ["--vars", yaml.safe_dump(dbt_vars, default_flow_style=True).strip()]
    return dbt_on_spark(args, spark_home=spark_home, target=target, threads=threads)


def spark_session() -> Any:
    """The Spark session dbt-spark started in this process (session mode), for reading back."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    return session if session is not None else SparkSession.builder.getOrCreate()
