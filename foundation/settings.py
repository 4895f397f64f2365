"""Where chiso keeps its state. Every path comes from the environment with one default."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


def chiso_home() -> Path:
    """Root of all runtime state: inbox, warehouse, Dagster storage, reports."""
    return Path(os.environ.get("CHISO_HOME", PROJECT_ROOT / "var")).resolve()


def inbox_dir() -> Path:
    return Path(os.environ.get("CHISO_INBOX", chiso_home() / "inbox")).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get("CHISO_WAREHOUSE", chiso_home() / "warehouse.duckdb")).resolve()


def published_path() -> Path:
    """The published file BI tools open; the pipeline only ever swaps a new file in."""
    return Path(os.environ.get("CHISO_PUBLISHED", chiso_home() / "published.duckdb")).resolve()


def publications_dir() -> Path:
    """Every publication kept, named by time and run, with its exports and dashboard."""
    return Path(os.environ.get("CHISO_PUBLICATIONS", chiso_home() / "publications")).resolve()


def publications_kept() -> int:
    """How many publications stay on disk (the newest N)."""
    return int(os.environ.get("CHISO_PUBLICATIONS_KEPT", "12"))


def stale_after_days() -> float:
    """The published indicators are stale when no input has brought new rows for this long."""
    return float(os.environ.get("CHISO_STALE_AFTER_DAYS", "3"))

def dbt_target_dir(step: str) -> Path:
    """Where a pipeline step's dbt invocations keep their artefacts (run results, and the
    parsed project that lets the next invocation skip parsing it all again)."""
    return chiso_home() / "dbt_target" / step


def rejected_dir() -> Path:
    """Where files that could not be read at all are set aside, each with its reason."""
    return Path(os.environ.get("CHISO_REJECTED", chiso_home() / "rejected")).resolve()


def lake_dir() -> Path:
    """The raw layer as Parquet, one folder per table, as a data lake holds it (for Spark)."""
    return Path(os.environ.get("CHISO_LAKE", chiso_home() / "lake")).resolve()


def spark_home() -> Path:
    """Local Spark's state: its warehouse folder, Derby metastore, dbt target and logs."""
    return Path(os.environ.get("CHISO_SPARK_HOME", chiso_home() / "spark")).resolve()

# --- DuckDB's bounds: every process that opens the warehouse (Python and dbt) applies them ---

# a share of the machine's memory (DuckDB reads "25%" as 25 % of physical RAM): the buffer
# pool stops there and joins, sorts and windows spill to `duckdb_temp_directory()` instead
DEFAULT_DUCKDB_MEMORY_LIMIT = "25%"


def duckdb_memory_limit() -> str:
    """DuckDB's memory_limit: CHISO_DUCKDB_MEMORY_LIMIT ("8GiB", "40%"), else a quarter of RAM."""
    return os.environ.get("CHISO_DUCKDB_MEMORY_LIMIT", "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_temp_directory() -> Path:
    """Where DuckDB spills what does not fit: CHISO_DUCKDB_TEMP_DIR, else CHISO_HOME/duckdb_tmp."""
    return Path(os.environ.get("CHISO_DUCKDB_TEMP_DIR", chiso_home() / "duckdb_tmp")).resolve()


def _threads(variable: str) -> int:
    """A thread count from the environment, else one per core."""
    value = os.environ.get(variable, "").strip()
    return int(value) if value else (os.cpu_count() or 1)


def duckdb_threads() -> int:
    """DuckDB's worker threads: CHISO_DUCKDB_THREADS, else one per core."""
    return _threads("CHISO_DUCKDB_THREADS")


def ingest_workers() -> int:
    """Threads preparing inbox files ahead of the one writer: CHISO_INGEST_WORKERS (0: none),
    else one per core."""
    return _threads("CHISO_INGEST_WORKERS")


def duckdb_settings() -> dict[str, str]:
    """The settings as DuckDB's SET takes them, for Python connections and dbt's profile."""
    return {"memory_limit": duckdb_memory_limit(),
            "temp_directory": str(duckdb_temp_directory()),
            "threads": str(duckdb_threads())}


def duckdb_environment() -> dict[str, str]:
    """The same settings as the variables `dbt_project/profiles.yml` reads."""
    return {"CHISO_DUCKDB_MEMORY_LIMIT": duckdb_memory_limit(),
            "CHISO_DUCKDB_TEMP_DIR": str(duckdb_temp_directory()),
            "CHISO_DUCKDB_THREADS": str(duckdb_threads())}
