"""When the pipeline runs by itself (Asia/Ho_Chi_Minh time): names and times in
`schedules.toml`, every schedule launching the one job."""

import datetime as dt
import tomllib
from pathlib import Path

import dagster as dg

from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.lib.partitions import month_range_tags, touched_months_tags

TIMEZONE = "Asia/Ho_Chi_Minh"
CONFIG = Path(__file__).with_name("schedules.toml")


def _previous_month(moment: dt.datetime) -> str:
    first = moment.date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1).isoformat()


def _requested_tags(months: str, moment: dt.datetime) -> dict[str, str]:
    if months == "touched":
        return touched_months_tags(moment)
    if months == "previous":
        key = _previous_month(moment)
        return month_range_tags(key, key)
    raise ValueError(f"{CONFIG.name}: months must be 'touched' or 'previous', got {months!r}")


def _schedule(name: str, settings: dict[str, str]) -> dg.ScheduleDefinition:
    months = settings["months"]
    _requested_tags(months, dt.datetime(2025, 1, 15))  # a bad value fails at load, not at 6 am

    @dg.schedule(name=name, job=chiso_pipeline, cron_schedule=settings["cron"],
                 execution_timezone=TIMEZONE, description=settings.get("description"),
                 default_status=dg.DefaultScheduleStatus.STOPPED)
    def _evaluate(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(tags=_requested_tags(months, context.scheduled_execution_time))

    return _evaluate


SCHEDULES = [_schedule(name, settings) for name, settings in
             tomllib.loads(CONFIG.read_text(encoding="utf-8")).items()]
