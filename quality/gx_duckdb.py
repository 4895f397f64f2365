"""Great Expectations 1.24 on DuckDB through SQLAlchemy (duckdb-engine).

GX closes its connection after each query unless the dialect is in the private tuple
`_PERSISTED_CONNECTION_DIALECTS`; DuckDB is not, and every expectation then fails with
`MetricResolutionError: list index out of range` (STACK_NOTES). Registering it there makes SQL
pushdown work. The name is private, so GX is pinned exactly and
`tests/quality/test_gx_duckdb.py` fails loudly when this stops working.
"""

from __future__ import annotations

from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

DUCKDB = "duckdb"


class _DialectName(str):
    """A dialect name that also answers `.value`, as GX's dialect enum members do."""

    @property
    def value(self) -> str:
        return str(self)


def register_duckdb() -> None:
    """Add DuckDB to GX's dialects that keep one persisted connection (idempotent)."""
    current = engine_module._PERSISTED_CONNECTION_DIALECTS
    if any(str(getattr(d, "value", d)) == DUCKDB for d in current):
        return
    engine_module._PERSISTED_CONNECTION_DIALECTS = (*current, _DialectName(DUCKDB))


def duckdb_connection_is_persisted() -> bool:
    """True when GX will keep DuckDB's connection open (the workaround is in force)."""
    return engine_module._dialect_requires_persisted_connection(
        connection_string="duckdb:///:memory:")
