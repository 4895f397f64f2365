"""When the pipeline runs by itself (Asia/Ho_Chi_Minh time): names and times in
`schedules.toml`, every schedule launching the one job.

- `periods = "touched"`: every month and year brought up to date, rebuilding those new data
  touched;
- `months = "previous"`: the previous month, rebuilt whole and published;
- `years = "previous"`: the previous year's survey indices rebuilt whole (and the months new
  data touched), once the raw tables `requires` lists hold rows of that year; until then the
  tick is skipped with "waiting for: ...". A set of files is built once: a later tick finds
  the run it launched (tag `chiso/year_inputs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from pathlib import Path
from typing import Any

import dagster as dg

from foundation import settings
from orchestration.defs.pipeline.jobs import PIPELINE_JOB, chiso_pipeline
from orchestration.defs.surveys.assets import years_run_config
from orchestration.defs.surveys.inputs import inputs_of_year
from orchestration.lib.partitions import TIMEZONE, month_range_tags, touched_tags
from orchestration.lib.resources import read_when_idle

CONFIG = Path(__file__).with_name("schedules.toml")
YEAR_INPUTS_TAG = "chiso/year_inputs"
# a run that may still build the year's files, or has: a later tick does not launch another
LIVE_OR_DONE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.SUCCESS]


def _previous_month_key(moment: dt.datetime) -> str:
    first = moment.date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1).isoformat()


def _touched(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(tags=touched_tags(context.scheduled_execution_time))


def _previous_month(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    key = _previous_month_key(context.scheduled_execution_time)
    return dg.RunRequest(tags=month_range_tags(key, key))


def _previous_year(required: tuple[str, ...]):
    def request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        year = context.scheduled_execution_time.year - 1
        with read_when_idle(settings.warehouse_path()) as con:
            if con is None:
                return dg.SkipReason("a run is writing the warehouse: the next tick checks "
                                     f"again for the {year} survey and assessment files")
            found = inputs_of_year(con, year, required)
        missing = [table for table, loaded in found.items() if loaded is None]
        if missing:
            return dg.SkipReason(f"waiting for: {', '.join(f'{t} {year}' for t in missing)} "
                                 f"(no row of {year} loaded from the inbox yet)")
        newest = max(loaded for loaded in found.values() if loaded is not None)
        inputs = f"{year}-{hashlib.sha256(newest.isoformat().encode()).hexdigest()[:12]}"
        done = context.instance.get_run_records(dg.RunsFilter(
            job_name=PIPELINE_JOB, tags={YEAR_INPUTS_TAG: inputs}, statuses=LIVE_OR_DONE),
            limit=1)
        if done:
            return dg.SkipReason(f"{year} already built from these files "
                                 f"(run {done[0].dagster_run.run_id[:8]})")
        return dg.RunRequest(run_key=f"survey-indices-{inputs}",
                             run_config=years_run_config(year, year),
                             tags={**touched_tags(context.scheduled_execution_time),
                                   YEAR_INPUTS_TAG: inputs})
    return request


def _schedule(name: str, config: dict[str, Any]) -> dg.ScheduleDefinition:
    if config.get("periods") == "touched":
        evaluate = _touched
    elif config.get("months") == "previous":
        evaluate = _previous_month
    elif config.get("years") == "previous":
        evaluate = _previous_year(tuple(config["requires"]))
    else:  # a bad value fails at load, not at 6 am
        raise ValueError(f"{CONFIG.name} [{name}]: give periods = 'touched', "
                         f"months = 'previous' or years = 'previous' (with requires)")
    return dg.ScheduleDefinition(
        name=name, job=chiso_pipeline, cron_schedule=config["cron"],
        execution_timezone=TIMEZONE, description=config.get("description"),
        default_status=dg.DefaultScheduleStatus.STOPPED, execution_fn=evaluate)


SCHEDULES = [_schedule(name, config) for name, config in
             tomllib.loads(CONFIG.read_text(encoding="utf-8")).items()]
