"""How the CLI starts the pipeline: the same job the schedules, the sensor and the UI launch,
executed in this process (one writer), with a range of months or years when one is asked for."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.pipeline.jobs import PIPELINE_JOB
from orchestration.defs.surveys.assets import years_run_config
from orchestration.lib.partitions import month_range_tags, touched_tags

# the terminal shows what happened, not Dagster's step-by-step debug events (the UI keeps all)
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def run_pipeline(defs: dg.Definitions, instance: dg.DagsterInstance, *,
                 months: tuple[str, str] | None = None,
                 years: tuple[int, int] | None = None) -> dg.ExecuteInProcessResult:
    """Without months or years: every month and year is brought up to date, rebuilding those
    new data touched. With (first, last) monthly partition keys: exactly those months. With
    (first, last) years: exactly those survey years (and the months new data touched)."""
    tags = {"chiso/launched_by": "cli"}
    tags |= month_range_tags(*months) if months is not None else touched_tags()
    run_config = {**QUIET_CONSOLE, **(years_run_config(*years) if years is not None else {})}
    return defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config, tags=tags)
