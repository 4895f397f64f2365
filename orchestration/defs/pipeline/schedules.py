"""When the pipeline runs by itself (Asia/Ho_Chi_Minh time)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.pipeline.jobs import chiso_pipeline

nightly_pipeline = dg.ScheduleDefinition(
    name="nightly_pipeline",
    job=chiso_pipeline,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every morning: load what arrived overnight and rebuild what it touched.",
)
