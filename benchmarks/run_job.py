"""One run of the real Dagster job `chiso_pipeline`, in this process, on CHISO_HOME: the child
process `scale.py` measures. Prints a JSON line: success, each step's start and end (epoch
seconds, from Dagster's event log), and the folders of the dbt invocations' run results.

    .venv/bin/python benchmarks/run_job.py [--months 2025-11-01 2025-11-01]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", nargs=2, metavar=("FIRST", "LAST"),
                        help="partition keys (YYYY-MM-01): exactly those months, as the monthly "
                             "schedule and backfills ask; default: the months new data touched")
    args = parser.parse_args()
    started = time.time()
    import dagster as dg
    from dagster._core.events import DagsterEventType

    from foundation import settings
    from orchestration.definitions import defs
    from orchestration.lib.launch import run_pipeline

    imported = time.time()
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_pipeline(defs, instance, months=tuple(args.months) if args.months else None)
        steps: dict[str, dict[str, float]] = {}
        for record in instance.all_logs(result.run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            step = steps.setdefault(event.step_key, {})
            if event.event_type == DagsterEventType.STEP_START:
                step["start"] = record.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS,
                                      DagsterEventType.STEP_FAILURE):
                step["end"] = record.timestamp
                step["ok"] = event.event_type == DagsterEventType.STEP_SUCCESS
        metadata = {}
        for event in result.get_asset_materialization_events():
            key = event.asset_key.to_user_string()
            if key in ("raw/dossier_records", "raw/dossier_events", "raw/load_manifest"):
                metadata[key] = {k: v.value for k, v in
                                 event.materialization.metadata.items()}
    print(json.dumps({
        "success": result.success, "started": started, "imported": imported,
        "ended": time.time(), "steps": steps, "raw": metadata,
        "dbt_targets": {name: str(settings.dbt_target_dir(name)) for name in
                        ("dbt_models", "dbt_yearly_models", "dbt_monthly_models",
                         "dbt_published_models")},
    }, default=str))


if __name__ == "__main__":
    main()
