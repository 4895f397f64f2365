"""The one `Definitions` of chiso: load with `dagster dev` (see workspace.yaml)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from foundation import settings
from orchestration.defs.automation import daily_run, full_run, inbox_sensor, monthly_run
from orchestration.defs.ingestion import raw_calendar_days, raw_exports
from orchestration.defs.transform import DBT_PROJECT, dbt_models, dbt_monthly_models
from orchestration.resources import InboxResource, WarehouseResource

# dbt's profile reads the same variable, so Python and dbt always open the same file;
# resources resolve them when a run starts, so a run follows the environment it is given
os.environ.setdefault("CHISO_WAREHOUSE", str(settings.warehouse_path()))
os.environ.setdefault("CHISO_INBOX", str(settings.inbox_dir()))

defs = dg.Definitions(
    assets=[raw_exports, raw_calendar_days, dbt_models, dbt_monthly_models],
    jobs=[full_run, monthly_run],
    schedules=[daily_run],
    sensors=[inbox_sensor],
    resources={
        "warehouse": WarehouseResource(path=dg.EnvVar("CHISO_WAREHOUSE")),
        "inbox": InboxResource(path=dg.EnvVar("CHISO_INBOX")),
        # the dbt of this environment, whether or not its bin folder is on PATH
        "dbt": DbtCliResource(project_dir=DBT_PROJECT,
                              dbt_executable=str(Path(sys.executable).parent / "dbt")),
    },
    # one process, one step at a time: DuckDB has a single writer
    executor=dg.in_process_executor,
)
