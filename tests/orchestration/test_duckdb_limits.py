"""DuckDB's bounds (memory limit, spill directory, threads) come from the settings, for every
connection to the warehouse and for dbt: a configured value is what DuckDB runs with, the
default is a share of RAM, dbt's profile falls back to the same, and a query larger than the
limit spills instead of failing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from foundation import settings
from foundation.duckdb_limits import connect
from orchestration.lib.resources import WarehouseResource

GIB = 2**30


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(f"select current_setting('{name}')").fetchone()[0])


def test_configured_bounds_are_what_the_warehouse_runs_with(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_DUCKDB_MEMORY_LIMIT", "1GiB")
    monkeypatch.setenv("CHISO_DUCKDB_THREADS", "1")
    monkeypatch.setenv("CHISO_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    with resource.connect() as con:
        assert _setting(con, "memory_limit") == "1.0 GiB"
        assert _setting(con, "threads") == "1"
        assert _setting(con, "temp_directory") == str(tmp_path / "spill")
    with resource.dbt_environment():  # what dbt's profile reads
        assert os.environ["CHISO_DUCKDB_MEMORY_LIMIT"] == "1GiB"
        assert os.environ["CHISO_DUCKDB_TEMP_DIR"] == str(tmp_path / "spill")
        assert os.environ["CHISO_WAREHOUSE"] == str(tmp_path / "w.duckdb")
    assert (tmp_path / "spill").is_dir()


def test_the_default_is_a_quarter_of_the_memory(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CHISO_DUCKDB_MEMORY_LIMIT", "CHISO_DUCKDB_THREADS", "CHISO_DUCKDB_TEMP_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    with connect(tmp_path / "w.duckdb") as con:
        value, unit = _setting(con, "memory_limit").split()
        limit = float(value) * {"MiB": 2**20, "GiB": GIB, "TiB": 2**40}[unit]
        assert 0.2 * physical <= limit <= 0.3 * physical
        assert _setting(con, "temp_directory") == str(tmp_path / "duckdb_tmp")
        assert _setting(con, "threads") == str(os.cpu_count())


def test_dbt_reads_the_same_bounds_and_falls_back_to_the_same_memory_limit() -> None:
    profile = (settings.DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    fallback = re.search(r"env_var\('CHISO_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert fallback is not None and fallback[1] == settings.DEFAULT_DUCKDB_MEMORY_LIMIT
    assert "env_var('CHISO_DUCKDB_THREADS'" in profile
    # the spill directory is set once per run (DuckDB refuses it again after a spill)
    spill = (settings.DBT_PROJECT_DIR / "macros/duckdb_bounds.sql").read_text(encoding="utf-8")
    assert "env_var('CHISO_DUCKDB_TEMP_DIR'" in spill
    project = (settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    assert "set_spill_directory()" in project


def test_a_query_larger_than_the_limit_spills_instead_of_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_DUCKDB_MEMORY_LIMIT", "64MiB")
    monkeypatch.setenv("CHISO_DUCKDB_THREADS", "1")
    monkeypatch.setenv("CHISO_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    query = ("select count(*) from (select i, any_value(repeat('x', 40)) "
             "from range(4000000) t(i) group by i)")  # a few hundred MB of group-by state
    with connect(tmp_path / "w.duckdb") as con:
        assert con.execute(query).fetchone()[0] == 4_000_000
    with duckdb.connect() as con:  # the same limit with nowhere to spill: it holds, and fails
        con.execute("set memory_limit = '64MiB'; set threads = 1; set temp_directory = ''")
        with pytest.raises(duckdb.OutOfMemoryException):
            con.execute(query).fetchone()
