"""One run of the real Dagster job `chiso_pipeline`, in this process, on CHISO_HOME and the
Dagster instance `chiso run` uses (local storage under DAGSTER_HOME): the child process
`scale.py` measures. Prints a JSON line: success, each step's start and end (epoch
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
DBT_STEPS = ("dbt_models", "dbt_yearly_models", "dbt_monthly_models", "dbt_published_models")


def parse_as_the_night_before() -> None:
    """A night runs in the home the night before ran in, where each dbt step left the project
    it parsed (partial parsing then reads only what changed). A benchmark's fresh home has
    none, and its first dbt step would parse it all (about 8 s) where no real night does:
    parse it here, in the environment the steps give dbt (the other steps start from that
    parse, as in any home: orchestration.lib.dbt_runs.seed_parsed_project)."""
    from foundation import settings
    from orchestration.lib.resources import WarehouseResource, dbt_resource

    with WarehouseResource().dbt_environment():
        dbt_resource().cli(["parse"], target_path=settings.dbt_target_dir(DBT_STEPS[0])).wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", nargs=2, metavar=("FIRST", "LAST"),
                        help="partition keys (YYYY-MM-01): exactly those months, as the monthly "
                             "schedule and backfills ask; default: the months new data touched")
    parser.add_argument("--parse-only", action="store_true",
                        help="only leave the parsed dbt project in CHISO_HOME, as the "
                             "night before leaves it (no run)")
    args = parser.parse_args()
    if args.parse_only:
        parse_as_the_night_before()
        return
    started = time.time()
    import dagster as dg
    from dagster._core.events import DagsterEventType

    from chiso.runtime import ensure_dagster_home
    from foundation import settings
    from orchestration.definitions import defs
    from orchestration.lib.launch import run_pipeline

    imported = time.time()
    # the CLI's instance, not an ephemeral one: a real night stores every event it logs
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        result = run_pipeline(defs, instance, months=tuple(args.months) if args.months else None)
        steps: dict[str, dict[str, float]] = {}
        records = instance.all_logs(result.run_id)
        for record in records:
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
        "ended": time.time(), "steps": steps, "raw": metadata, "events": len(records),
        "dbt_targets": {name: str(settings.dbt_target_dir(name)) for name in DBT_STEPS},
    }, default=str))


if __name__ == "__main__":
    main()
