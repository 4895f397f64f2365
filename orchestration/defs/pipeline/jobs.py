"""The one job every entry point runs: the CLI, the schedule, the inbox sensor and the UI."""

from __future__ import annotations

import dagster as dg

PIPELINE_JOB = "chiso_pipeline"

# every asset of the graph: ingestion, the unpartitioned models, the monthly marts (the months
# the run asks for, or those new data touched), and whatever later domains add downstream
chiso_pipeline = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all(),
    description="Load the inbox, build every dbt model and test, and the monthly marts of the "
                "months asked for (a partition range) or touched by new data (no partition).",
    # DuckDB has one writer: runs of this job never overlap (the queue holds the next one,
    # see chiso/runtime.py's dagster.yaml)
    tags={"chiso/writes": "warehouse"},
)
