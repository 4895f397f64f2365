"""The job, its daily schedule, and a sensor that starts a run when the inbox changes."""


import json
from pathlib import Path

import dagster as dg

from foundation import settings
from ingestion.loader import inbox_files
from orchestration.defs.transform import dbt_monthly_models

full_run = dg.define_asset_job(
    "chiso_full_run",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(dbt_monthly_models),
    description="Load the inbox, then build every unpartitioned dbt model and test.",
)

monthly_run = dg.define_asset_job(
    "chiso_monthly_run",
    selection=dg.AssetSelection.assets(dbt_monthly_models),
    description="Rebuild the monthly indicator marts for one month or a range of months.",
)

daily_run = dg.ScheduleDefinition(
    job=full_run,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


def inbox_fingerprint(inbox: Path) -> dict[str, list[float]]:
    """Names, sizes and modification times: enough to notice new or changed exports without
    opening the warehouse (a sensor must never contend for the writer's lock)."""
    if not inbox.exists():
        return {}
    return {
        str(p.relative_to(inbox)): [p.stat().st_size, p.stat().st_mtime]
        for p in inbox_files(inbox)
    }


@dg.sensor(job=full_run, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    fingerprint = inbox_fingerprint(settings.inbox_dir())
    previous = json.loads(context.cursor) if context.cursor else {}
    if fingerprint == previous:
        return dg.SkipReason("no new or changed files in the inbox")
    changed = sorted(k for k in fingerprint if fingerprint[k] != previous.get(k))
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"inbox-{hash(json.dumps(fingerprint))}",
                                    tags={"chiso/changed_files": str(len(changed))})],
        cursor=json.dumps(fingerprint),
    )
