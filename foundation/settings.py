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


def rejected_dir() -> Path:
    """Where files that could not be read at all are set aside, each with its reason."""
    return Path(os.environ.get("CHISO_REJECTED", chiso_home() / "rejected")).resolve()


def lake_dir() -> Path:
    """The raw layer as Parquet, one folder per table, as a data lake holds it (for Spark)."""
    return Path(os.environ.get("CHISO_LAKE", chiso_home() / "lake")).resolve()


def spark_home() -> Path:
    """Local Spark's state: its warehouse folder, Derby metastore, dbt target and logs."""
    return Path(os.environ.get("CHISO_SPARK_HOME", chiso_home() / "spark")).resolve()
