"""Sensors: the inbox starts the pipeline, one run per batch of new files; a failed run raises
an alert. Neither opens the warehouse: a sensor must never contend for the writer's lock."""

import hashlib
import json
import os
import time
from pathlib import Path

import dagster as dg

from foundation import settings
from ingestion.loader import inbox_files
from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.lib import alerts
from orchestration.lib.partitions import touched_tags

# a batch closes when the inbox has not changed for this long (exports arrive file by file)
DEFAULT_QUIET_SECONDS = 300


def quiet_seconds() -> float:
    return float(os.environ.get("CHISO_INBOX_QUIET_SECONDS", DEFAULT_QUIET_SECONDS))


def now() -> float:
    return time.time()


def inbox_fingerprint(inbox: Path) -> dict[str, list[float]]:
    """Names, sizes and modification times: enough to notice new or changed exports."""
    if not inbox.exists():
        return {}
    return {
        str(p.relative_to(inbox)): [p.stat().st_size, p.stat().st_mtime]
        for p in inbox_files(inbox)
    }


def run_key(fingerprint: dict[str, list[float]]) -> str:
    # a stable digest (Python's hash() differs between processes): the same batch, the same key
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
    return f"inbox-{digest[:16]}"


@dg.sensor(job=chiso_pipeline, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """One run per batch of new or changed files, once the inbox has been quiet for
    CHISO_INBOX_QUIET_SECONDS (default 300)."""
    fingerprint = inbox_fingerprint(settings.inbox_dir())
    cursor = json.loads(context.cursor) if context.cursor else {}
    launched: dict[str, list[float]] = cursor.get("launched", {})
    batch = {k: v for k, v in fingerprint.items() if launched.get(k) != v}
    if not batch:
        return dg.SkipReason("no new or changed files in the inbox")
    if fingerprint != cursor.get("seen"):
        context.update_cursor(json.dumps({**cursor, "seen": fingerprint, "since": now()}))
        return dg.SkipReason(f"{len(batch)} new or changed files; the batch closes after "
                             f"{quiet_seconds():.0f} s without changes")
    waited = now() - float(cursor.get("since", 0))
    if waited < quiet_seconds():
        return dg.SkipReason(f"{len(batch)} new or changed files; quiet for {waited:.0f} s of "
                             f"{quiet_seconds():.0f} s")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key(batch),
                                    tags={**touched_tags(),
                                          "chiso/changed_files": str(len(batch))})],
        cursor=json.dumps({**cursor, "launched": fingerprint}),
    )


# every job of the code location: `chiso_pipeline`, and the backfills the UI launches (Dagster
# runs those through its implicit asset job)
@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def pipeline_failure_alert(context: dg.RunFailureSensorContext) -> None:
    """A failed run: its failing steps, in CHISO_HOME/alerts.jsonl and, when CHISO_ALERT_WEBHOOK
    is set, posted there. The publication is untouched (it is the run's last step)."""
    steps = sorted({e.step_key for e in context.get_step_failure_events() if e.step_key})
    alerts.raise_alert(run_id=context.dagster_run.run_id, job=context.dagster_run.job_name,
                       failed_steps=steps, message=context.failure_event.message or "")
