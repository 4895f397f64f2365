"""How the CLI starts the pipeline: the same job the schedule, the sensor and the UI launch,
executed in this process (one writer), with a month range when one is asked for."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.pipeline.jobs import PIPELINE_JOB

# the terminal shows what happened, not Dagster's step-by-step debug events (the UI keeps all)
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def month_range_tags(first: str, last: str) -> dict[str, str]:
    """A range of monthly partitions (keys `YYYY-MM-01`), as a backfill launches it."""
    return {"dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last}


def run_pipeline(defs: dg.Definitions, instance: dg.DagsterInstance, *,
                 months: tuple[str, str] | None = None) -> dg.ExecuteInProcessResult:
    """Without months: the months new data touched are rebuilt. With (first, last) partition
    keys: exactly those months."""
    tags = {"chiso/launched_by": "cli"}
    if months is not None:
        tags |= month_range_tags(*months)
    return defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE, tags=tags)
