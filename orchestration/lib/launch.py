"""How the CLI starts the pipeline: the same job the schedule, the sensor and the UI launch,
executed in this process (one writer), with a month range when one is asked for."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.pipeline.jobs import PIPELINE_JOB
from orchestration.lib.partitions import month_range_tags, touched_months_tags

# the terminal shows what happened, not Dagster's step-by-step debug events (the UI keeps all)
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def run_pipeline(defs: dg.Definitions, instance: dg.DagsterInstance, *,
                 months: tuple[str, str] | None = None) -> dg.ExecuteInProcessResult:
    """Without months: every month is brought up to date, rebuilding those new data touched.
    With (first, last) partition keys: exactly those months."""
    tags = {"chiso/launched_by": "cli"}
    tags |= month_range_tags(*months) if months is not None else touched_months_tags()
    return defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE, tags=tags)
