"""When the pipeline runs by itself (Asia/Ho_Chi_Minh time)."""

import dagster as dg

from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.lib.partitions import touched_months_tags


@dg.schedule(name="nightly_pipeline", job=chiso_pipeline, cron_schedule="0 6 * * *",
             execution_timezone="Asia/Ho_Chi_Minh",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_pipeline(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every morning: load what arrived overnight and rebuild the months it touched."""
    return dg.RunRequest(tags=touched_months_tags(context.scheduled_execution_time))
