"""Resources, configured from the environment (one default for each, see `foundation.settings`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class WarehouseResource(dg.ConfigurableResource):
    """The live DuckDB file. Only one step at a time opens it (the job runs in one process,
    steps in sequence), and it is never handed to readers: they get the published copy."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
        try:
            yield con
        finally:
            con.close()


class InboxResource(dg.ConfigurableResource):
    """Where export files are dropped, and the key that pseudonymises personal data."""

    path: str
    pii_key_env: str = "CHISO_PII_KEY"
