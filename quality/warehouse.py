"""The warehouse connection the quality runner writes through.

DuckDB refuses, in one process, a second connection to a file with another configuration
while the first is open, and GX keeps its duckdb-engine connection open (the persisted
connection of gx_duckdb). Opening ours through duckdb-engine too gives the same configuration,
so both share one DuckDB instance."""

from __future__ import annotations

from pathlib import Path

import duckdb
import sqlalchemy

from foundation.duckdb_limits import apply_limits


def connect(warehouse: Path) -> tuple[duckdb.DuckDBPyConnection, sqlalchemy.PoolProxiedConnection]:
    """A native DuckDB connection to the file, and the pooled handle that owns it (close both)."""
    engine = sqlalchemy.create_engine(f"duckdb:///{warehouse}", poolclass=sqlalchemy.NullPool)
    raw = engine.raw_connection()
    # duckdb-engine wraps the DuckDB connection and passes other calls through; DuckDB's
    # execute() returns the connection itself, and cursor() a new one on the same instance
    native = raw.driver_connection.execute("select 1")
    # the instance's bounds, which GX's connection to the same instance shares
    return apply_limits(native.cursor()), raw
