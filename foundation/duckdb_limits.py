"""DuckDB's memory limit, spill directory and threads on a connection (`settings.duckdb_*`).

Applied with SET right after connecting, not as connection options: the settings are the
database instance's, and DuckDB refuses a second connection to an open file with different
options, while SET on any connection of the instance is always allowed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from foundation import settings


def apply_limits(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    values = settings.duckdb_settings()
    Path(values["temp_directory"]).mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        current = con.execute(f"select current_setting('{name}')").fetchall()[0][0]
        if name == "temp_directory" and str(current) == value:
            continue  # DuckDB refuses even the same value once a query has spilled there
        con.execute(f"set {name} = '{value.replace(chr(39), chr(39) * 2)}'")
    return con


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse file with chiso's bounds applied."""
    return apply_limits(duckdb.connect(str(path), read_only=read_only))
