"""The GX-on-DuckDB workaround (quality/gx_duckdb.py) relies on a private name of Great
Expectations. These tests fail loudly the day it stops working: then re-measure STACK_NOTES'
trap on the new GX version before moving the pin."""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from quality.gx_duckdb import duckdb_connection_is_persisted, register_duckdb
from quality.suites import Expectation, Suite, SuiteFile
from quality.validate import validate


def test_great_expectations_is_pinned_to_the_version_the_workaround_was_measured_on() -> None:
    assert version("great_expectations") == "1.24.1", (
        "GX moved: check _PERSISTED_CONNECTION_DIALECTS still exists and still decides whether "
        "a connection persists, then update this pin and pyproject.toml together")


def test_the_private_dialect_list_still_exists_and_decides() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    assert isinstance(engine._PERSISTED_CONNECTION_DIALECTS, tuple)
    register_duckdb()
    register_duckdb()  # idempotent
    assert duckdb_connection_is_persisted()
    names = [str(getattr(d, "value", d)) for d in engine._PERSISTED_CONNECTION_DIALECTS]
    assert names.count("duckdb") == 1


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(path))
    # three units; u3 is 9.0, above the threshold of 5
    con.execute("create schema marts")
    con.execute("create table marts.metric as select * from (values ('u1', 1.0), ('u2', 4.0), "
                "('u3', 9.0)) as t(unit_key, score)")
    con.close()
    return path


def _suite(max_value: float) -> SuiteFile:
    expectation = Expectation("expect_column_values_to_be_between",
                              {"column": "score", "max_value": max_value},
                              {"check": "t", "label_vi": "t", "severity": "error", "reason": "t"})
    suite = Suite(name="tiny", layer="anomaly", query="select * from marts.metric",
                  expectations=(expectation,), row_key=("unit_key",), indices=("sipas",))
    return SuiteFile(Path("tiny.json"), "tiny", "anomaly", "", (suite,))


def test_sql_pushdown_on_duckdb_names_the_failing_unit(tiny_warehouse: Path, tmp_path: Path
                                                       ) -> None:
    validation = validate(tiny_warehouse, [_suite(5.0)], tmp_path / "gx")
    (outcome,) = validation.outcomes
    # without the workaround GX raises MetricResolutionError and reports an exception here
    assert outcome.error is None, outcome.error
    assert outcome.success is False
    assert outcome.element_count == 3
    assert outcome.unexpected_keys == [{"unit_key": "u3"}]
    assert validation.data_docs.exists()


def test_every_failing_unit_is_named_beyond_gx_default_twenty(tmp_path: Path) -> None:
    # GX's SQL engine lists at most partial_unexpected_count failing rows (20 by default);
    # a 21st failing unit would silently pass
    path = tmp_path / "many.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.metric as select 'u' || lpad(cast(i as varchar), 2, '0') "
                "as unit_key, 9.0 as score from range(30) as t(i)")
    con.close()
    (outcome,) = validate(path, [_suite(5.0)], tmp_path / "gx").outcomes
    assert outcome.unexpected_count == 30
    assert sorted(k["unit_key"] for k in outcome.unexpected_keys) == [f"u{i:02d}" for i in
                                                                       range(30)]


def test_sql_pushdown_passes_when_every_unit_is_within(tiny_warehouse: Path, tmp_path: Path
                                                       ) -> None:
    validation = validate(tiny_warehouse, [_suite(10.0)], tmp_path / "gx")
    (outcome,) = validation.outcomes
    assert outcome.error is None and outcome.success is True
    assert outcome.unexpected_keys == []


WITHOUT_WORKAROUND = """
import sys
from pathlib import Path
import quality.gx_duckdb as g
import quality.validate as v
g.register_duckdb = lambda: None  # GX as it ships
from tests.quality.test_gx_duckdb import _suite
(outcome,) = v.validate(Path(sys.argv[1]), [_suite(5.0)], Path(sys.argv[2])).outcomes
print("ERROR" if outcome.error else "OK", outcome.error or "")
"""


def test_without_the_workaround_gx_cannot_validate_on_duckdb(tiny_warehouse: Path,
                                                              tmp_path: Path) -> None:
    """If this starts passing, GX has fixed DuckDB upstream: drop the workaround."""
    import subprocess
    import sys

    from foundation.settings import PROJECT_ROOT

    # a script file, not `python -c`: pyspark (the `spark` extra) takes a __main__ without a
    # file for its doctest run and exits when GX imports it
    script = tmp_path / "without_workaround.py"
    script.write_text(WITHOUT_WORKAROUND, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(tiny_warehouse),
                          str(tmp_path / "gx")], capture_output=True, text=True, check=True,
                         cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
                         ).stdout
    assert out.startswith("ERROR"), out
    assert "list index out of range" in out
