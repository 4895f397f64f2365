"""A sensor that starts the pipeline when the inbox changes. It never opens the warehouse:
a sensor must never contend for the writer's lock."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from foundation import settings
from ingestion.loader import inbox_files
from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.lib.partitions import touched_months_tags


def inbox_fingerprint(inbox: Path) -> dict[str, list[float]]:
    """Names, sizes and modification times: enough to notice new or changed exports."""
    if not inbox.exists():
        return {}
    return {
        str(p.relative_to(inbox)): [p.stat().st_size, p.stat().st_mtime]
        for p in inbox_files(inbox)
    }


def run_key(fingerprint: dict[str, list[float]]) -> str:
    # a stable digest (Python's hash() differs between processes)
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
    return f"inbox-{digest[:16]}"


@dg.sensor(job=chiso_pipeline, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    fingerprint = inbox_fingerprint(settings.inbox_dir())
    previous = json.loads(context.cursor) if context.cursor else {}
    if fingerprint == previous:
        return dg.SkipReason("no new or changed files in the inbox")
    changed = sorted(k for k in fingerprint if fingerprint[k] != previous.get(k))
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key(fingerprint),
                                    tags={**touched_months_tags(),
                                          "chiso/changed_files": str(len(changed))})],
        cursor=json.dumps(fingerprint),
    )
