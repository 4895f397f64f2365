"""The raw layer as a data lake holds it: every table the pipeline's Python writes into the
warehouse (schemas `raw` and `quality`), one folder of Parquet per table,
`<lake>/<schema>/<table>/`. Spark registers each folder as a table; the dbt sources read it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock

# written by ingestion (raw) and the quality runner (quality), read by dbt as sources
LAKE_SCHEMAS = ("raw", "quality")


@dataclass(frozen=True)
class LakeTable:
    schema: str
    name: str
    rows: int
    path: Path

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


def export_lake(warehouse: Path, lake: Path, *, lock_timeout_seconds: float = 6 * 3600
                ) -> list[LakeTable]:
    """Write every base table of the lake schemas to `lake` as Parquet, replacing the
    earlier export. Waits for a running pipeline (the warehouse writer's lock) first:
    DuckDB lets no one read a file another process is writing."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `chiso run` first")
    with FileLock(f"{warehouse}.lock").acquire(timeout=lock_timeout_seconds):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' and table_schema in "
                f"({', '.join('?' for _ in LAKE_SCHEMAS)}) order by 1, 2",
                list(LAKE_SCHEMAS)).fetchall()
            for schema in LAKE_SCHEMAS:  # a table gone from the warehouse goes from the lake
                shutil.rmtree(lake / schema, ignore_errors=True)
            exported = []
            for schema, name in tables:
                folder = lake / schema / name
                folder.mkdir(parents=True)
                # naive timestamps stay naive (Parquet isAdjustedToUTC=false): Vietnam wall-clock
                con.execute(f'copy (select * from "{schema}"."{name}") '
                            f"to '{folder / 'part-0.parquet'}' (format parquet)")
                rows = con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
                exported.append(LakeTable(schema, name, int(rows), folder))
        finally:
            con.close()
    return exported
