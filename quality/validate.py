"""Run the suites in the warehouse with Great Expectations (SQL pushdown on DuckDB) and build
Data Docs. Each suite validates one query; nothing is pulled into pandas."""

from __future__ import annotations

import gc
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quality.suites import Expectation, Suite, SuiteFile

DATA_DOCS = Path("gx/uncommitted/data_docs/local_site/index.html")
# more failing rows than a metric table has units: GX then names them all
UNEXPECTED_ROWS_LIMIT = 1_000_000


@dataclass(frozen=True)
class Outcome:
    """What GX said about one expectation on one suite's table."""

    suite: Suite
    expectation: Expectation
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    unexpected_keys: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Validation:
    outcomes: list[Outcome]
    data_docs: Path


def _gx_expectation(gx: Any, expectation: Expectation) -> Any:
    class_name = "".join(part.capitalize() for part in expectation.type.split("_"))
    cls = getattr(gx.expectations, class_name, None)
    if cls is None:  # e.g. expect_column_pair_values_a_to_be_greater_than_b
        cls = next(c for n, c in vars(gx.expectations).items() if n.lower() == class_name.lower())
    return cls(**expectation.kwargs, meta=expectation.meta)


def validate(warehouse: Path, files: list[SuiteFile], gx_root: Path) -> Validation:
    """Validate every suite against the warehouse file; Data Docs under `gx_root`."""
    # Great Expectations takes some 20 s to import: only a run that validates pays for it
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from quality.gx_duckdb import register_duckdb

    register_duckdb()

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # the GX project is a build artefact of each run: suites live in expectations/, not here
    shutil.rmtree(gx_root / "gx", ignore_errors=True)
    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    # a bar per expectation's metrics buried the run's own output (the run logs each suite)
    context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                         metric_calculations=False)
    source = context.data_sources.add_or_update_sql(
        name="warehouse", connection_string=f"duckdb:///{warehouse}")
    outcomes: list[Outcome] = []
    for suite in (s for f in files for s in f.suites):
        asset = source.add_query_asset(name=suite.name, query=suite.query)
        batch = asset.add_batch_definition_whole_table("whole")
        gx_suite = context.suites.add(gx.ExpectationSuite(
            name=suite.name, expectations=[_gx_expectation(gx, e) for e in suite.expectations],
            meta={"layer": suite.layer}))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
        # unit-level suites name every row that fails by its key columns (GX's SQL engine
        # stops at partial_unexpected_count rows, 20 by default: a 21st failing unit would pass)
        result_format: dict[str, Any] = {"result_format": "SUMMARY"}
        if suite.row_key:
            result_format = {"result_format": "COMPLETE",
                             "unexpected_index_column_names": list(suite.row_key),
                             "partial_unexpected_count": UNEXPECTED_ROWS_LIMIT}
        result = definition.run(result_format=result_format)
        for expectation, er in zip(suite.expectations, result.results, strict=True):
            outcomes.append(_outcome(suite, expectation, er))
    context.build_data_docs()
    _close_connections()
    return Validation(outcomes, gx_root / DATA_DOCS)


def _close_connections() -> None:
    """Close every connection GX kept open (the persisted ones of gx_duckdb, its datasources'
    engines): DuckDB keeps the file locked while any connection of this process is open, and a
    later writer (dbt in another process, ours with another configuration) is refused."""
    import sqlalchemy
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    objects = gc.get_objects()
    for engine in [o for o in objects if isinstance(o, SqlAlchemyExecutionEngine)]:
        connection = getattr(engine, "_connection", None)
        if connection is not None:
            connection.close()
            engine._connection = None
    for connection in [o for o in objects if isinstance(o, sqlalchemy.engine.Connection)]:
        if connection.dialect.name == "duckdb" and not connection.closed:
            connection.close()
    for engine in [o for o in objects if isinstance(o, sqlalchemy.engine.Engine)]:
        if engine.dialect.name == "duckdb":
            engine.dispose()
    del objects
    gc.collect()


def _outcome(suite: Suite, expectation: Expectation, er: Any) -> Outcome:
    info = er.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) and "raised_exception" in info \
        else any(v.get("raised_exception") for v in info.values() if isinstance(v, dict))
    error = None
    if raised:
        messages = [info.get("exception_message")] if "exception_message" in info else [
            v.get("exception_message") for v in info.values() if isinstance(v, dict)]
        error = "; ".join(str(m) for m in messages if m)
    result = er.result or {}
    keys = [{k: row[k] for k in suite.row_key}
            for row in result.get("unexpected_index_list") or [] if isinstance(row, dict)]
    return Outcome(
        suite=suite, expectation=expectation, success=bool(er.success),
        element_count=result.get("element_count"), unexpected_count=result.get("unexpected_count"),
        unexpected_percent=result.get("unexpected_percent"), unexpected_keys=keys, error=error)
