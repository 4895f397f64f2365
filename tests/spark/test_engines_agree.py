"""The same dbt models on Apache Spark (`make test-spark`, not `make test`): a small generated
sample goes through the real DuckDB pipeline (`chiso run`'s job); its raw layer is handed to a
local Spark as Parquet, the whole project is built there by dbt-spark (seeds, models, unit and
data tests), and every relation both engines built is compared row for row. Then one month is
rebuilt on Spark the way the monthly partitions are (drop the month's periods, insert_overwrite)
and compared again.

Needs the `spark` extra and a Java 17 runtime (`make test-spark` installs both when missing)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from chiso.spark.build import DbtRun, month_partition, spark_session
from chiso.spark.compare import Comparison, compare_relations, relations_from_manifest, spark_reader
from chiso.spark.runner import SparkBuildReport, run_on_spark
from foundation.settings import SEEDS_DIR
from sample_generator.config import SampleConfig
from sample_generator.generate import generate
from tests.support.pipeline_home import pipeline_environment

pytestmark = [pytest.mark.spark, pytest.mark.e2e]

# small (Spark spends about a second on each model and test whatever the size) but complete:
# both code systems (the 2025-07-01 merger), every input family, SIPAS and PAR INDEX
SPARK_SAMPLE = SampleConfig(
    seed=16, dossiers=3_000, start=dt.date(2025, 1, 1), end=dt.date(2025, 9, 30),
    survey_respondents_per_province=12, officials_per_province=4, procedures=60,
    papi_respondents_per_province=96,  # six villages a province: PAPI's checks, not its size
)
THREADS = 4
REBUILT_MONTH = "2025-03"
PROCESSING = "marts.fct_dossier_processing_by_period"
# planted on Spark before the month is rebuilt: a period inside the month that no data produces
# (the rebuild must drop it, as DuckDB's delete does) and one outside it (it must stay), in
# another year: the quarter and year around the month are rolled up from the months stored
PLANTED_INSIDE = (dt.date(2025, 3, 10), dt.date(2025, 3, 20))
PLANTED_OUTSIDE = (dt.date(2024, 5, 10), dt.date(2024, 5, 20))


@dataclass(frozen=True)
class Engines:
    home: Path
    warehouse: Path
    full: SparkBuildReport
    month: SparkBuildReport
    month_comparisons: list[Comparison]
    planted_after_rebuild: dict[str, int]


def _run_duckdb_pipeline(home: Path) -> Path:
    with pipeline_environment(home, "spark-test-key-not-secret"):
        from orchestration.definitions import defs
        from orchestration.lib.launch import run_pipeline

        with dg.DagsterInstance.ephemeral() as instance:
            result = run_pipeline(defs, instance)
    assert result.success, "the DuckDB pipeline failed on the Spark test sample"
    return home / "warehouse.duckdb"


def _plant(session: Any, period: tuple[dt.date, dt.date]) -> None:
    """One row of the processing mart copied into a period of its own (its own partition)."""
    from pyspark.sql import functions as F

    row = (session.table(PROCESSING).where(F.col("period_type") == "month").limit(1)
           .withColumn("period_start", F.lit(period[0]))
           .withColumn("period_end", F.lit(period[1])))
    row.write.insertInto(PROCESSING)


def _require_success(build: DbtRun) -> None:
    """Every test here reads what the whole build made: when it failed, say which nodes failed
    and why (a Java stack trace's first lines), not that a table is missing further on."""
    if not build.success:
        failures = [f"{f.unique_id}: {(f.message or '')[:400]}" for f in build.failures]
        pytest.fail("dbt build on Spark failed:\n" + "\n".join(failures or [str(build.error)]),
                    pytrace=False)


def _planted_rows(session: Any) -> dict[str, int]:
    counts = {}
    for label, (start, _) in (("inside", PLANTED_INSIDE), ("outside", PLANTED_OUTSIDE)):
        counts[label] = session.sql(
            f"select count(*) from {PROCESSING} where period_start = date '{start}'"
        ).collect()[0][0]
    return counts


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    home = tmp_path_factory.mktemp("spark_engines")
    generate(SPARK_SAMPLE, home / "inbox")
    warehouse = _run_duckdb_pipeline(home)
    lake, spark_home = home / "lake", home / "spark"
    full = run_on_spark(warehouse=warehouse, lake=lake, spark_home=spark_home, threads=THREADS)
    _require_success(full.runs[-1])
    session = spark_session()
    for period in (PLANTED_INSIDE, PLANTED_OUTSIDE):
        _plant(session, period)
    month = run_on_spark(warehouse=warehouse, lake=lake, spark_home=spark_home, threads=THREADS,
                         export=False, compare=False, select=("tag:monthly",),
                         dbt_vars=month_partition(REBUILT_MONTH, REBUILT_MONTH))
    planted = _planted_rows(session)
    session.sql(f"alter table {PROCESSING} drop if exists partition "
                f"(period_type = 'month', period_start = '{PLANTED_OUTSIDE[0]}')")
    monthly = {n.unique_id for n in month.runs[-1].nodes}
    relations = [r for r in relations_from_manifest(spark_home / "target" / "manifest.json")
                 if r.unique_id in monthly]
    month_comparisons = compare_relations(warehouse, relations, spark_reader(session))
    yield Engines(home, warehouse, full, month, month_comparisons, planted)
    shutil.rmtree(home, ignore_errors=True)


def _describe(comparisons: list[Comparison]) -> str:
    lines = []
    for c in comparisons:
        lines.append(f"{c.relation.qualified_name}: {c.verdict}")
        lines += [f"    {e}" for e in c.examples]
        lines += [f"    type {t}" for t in c.type_notes]
    return "\n".join(lines)


def test_the_whole_project_builds_and_its_tests_pass_on_spark(engines: Engines) -> None:
    build = engines.full.runs[-1]
    assert build.command[0] == "build"
    assert [(f.unique_id, f.message) for f in build.failures] == []
    assert build.success, build.error
    kinds = {n.unique_id.split(".")[0] for n in build.nodes}
    assert {"seed", "model", "test", "unit_test"} <= kinds


def test_every_relation_is_compared(engines: Engines) -> None:
    manifest = engines.home / "spark" / "target" / "manifest.json"
    expected = {r.unique_id for r in relations_from_manifest(manifest)}
    compared = {c.relation.unique_id for c in engines.full.comparisons}
    assert compared == expected
    assert {r.split(".")[0] for r in compared} == {"model", "seed"}
    not_built = [c.relation.qualified_name for c in engines.full.comparisons
                 if any(p.startswith("not built") for p in c.column_problems)]
    assert not_built == []


def test_every_relation_agrees_row_for_row(engines: Engines) -> None:
    comparisons = engines.full.comparisons
    disagree = [c for c in comparisons if not c.agrees]
    assert disagree == [], _describe(disagree)
    # the rows really were there to compare: the sample fills the dossier and survey marts
    rows = {c.relation.qualified_name: c.duckdb_rows for c in comparisons}
    assert rows["marts.fct_dossier_indicators_by_period"] > 1_000
    assert rows["marts.sipas_index_yearly"] > 0
    assert rows["intermediate.int_survey__bootstrap_replicates"] > 0


def test_a_month_rebuilt_on_spark_replaces_its_periods_and_agrees(engines: Engines) -> None:
    build = engines.month.runs[-1]
    assert build.success, [(f.unique_id, f.message) for f in build.failures]
    built = {n.unique_id for n in build.nodes if n.unique_id.startswith("model.")}
    assert "model.chiso.fct_dossier_processing_by_period" in built
    assert "model.chiso.dim_province" not in built
    # the period inside the month that no data produces went, as DuckDB's delete removes it;
    # the one outside the month stayed
    assert engines.planted_after_rebuild == {"inside": 0, "outside": 1}
    disagree = [c for c in engines.month_comparisons if not c.agrees]
    assert disagree == [], _describe(disagree)
    assert len(engines.month_comparisons) >= 5


def _seed_cells() -> tuple[int, int]:
    """(cells with an apostrophe, empty cells) over every seed CSV."""
    apostrophes = empty = 0
    for path in SEEDS_DIR.rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                apostrophes += sum("'" in v for v in row.values())
                empty += sum(v == "" for v in row.values())
    return apostrophes, empty


def test_seeds_keep_apostrophes_and_empty_cells_on_spark(engines: Engines) -> None:
    apostrophes, empty = _seed_cells()
    assert apostrophes > 0 and empty > 0  # the cases dbt-spark's own seed loading gets wrong
    session = spark_session()
    found_apostrophes = found_nulls = found_none_text = 0
    for relation in relations_from_manifest(engines.home / "spark" / "target" / "manifest.json"):
        if not relation.unique_id.startswith("seed."):
            continue
        frame = session.table(relation.qualified_name)
        for name, kind in frame.dtypes:
            column = f"`{name}`"
            found_nulls += session.sql(
                f"select count(*) from {relation.qualified_name} where {column} is null"
            ).collect()[0][0]
            if kind == "string":
                found_apostrophes += session.sql(
                    f"select count(*) from {relation.qualified_name} "
                    f"where instr({column}, chr(39)) > 0"
                ).collect()[0][0]
                found_none_text += session.sql(
                    f"select count(*) from {relation.qualified_name} where {column} = 'None'"
                ).collect()[0][0]
    assert (found_apostrophes, found_nulls, found_none_text) == (apostrophes, empty, 0)
