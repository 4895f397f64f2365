"""The monthly dossier marts: processing statistics and the service index, monthly-partitioned.

Every run of the pipeline carries a range of months. A run tagged `chiso/periods=touched` (the
nightly schedule, the inbox sensor, a plain `chiso run`: their range is every month up to the
current one) brings every month of its range up to date but rebuilds only the months new data
touched (`orchestration.lib.dirty_months`), recorded in the materialisation's metadata. Any
other run (a backfill from the UI, `chiso run --from 2024-01 --to 2024-06`) rebuilds exactly
its months. Either way in one dbt invocation (`orchestration.lib.dbt_runs`).
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt_project import DBT_PROJECT, MANIFEST, MONTHLY_TAG, ChisoDbtTranslator
from orchestration.lib.dbt_runs import PeriodicModels, build_periods
from orchestration.lib.dirty_months import DOSSIER_INPUTS
from orchestration.lib.dirty_periods import MONTH, PeriodRange
from orchestration.lib.partitions import FIRST_MONTH, MONTHLY_PARTITIONS, TOUCHED_TAG
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient

MONTHLY_MARTS = PeriodicModels(DOSSIER_INPUTS, first=dt.date.fromisoformat(FIRST_MONTH))


@dbt_assets(
    manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
    select=MONTHLY_TAG, partitions_def=MONTHLY_PARTITIONS,
    # a backfill of many months is one dbt invocation over the whole window
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_monthly_models", retry_policy=TRANSIENT_RETRY,
)
@retried_only_if_transient
def dbt_monthly_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                       warehouse: WarehouseResource) -> Iterator[Any]:
    """Incremental monthly marts: only the months asked for (or touched) are rebuilt, with the
    quarters and years containing them; every other month's rows stay as they are."""
    window = context.partition_time_window
    asked = PeriodRange(window.start.date(), window.end.date(), MONTH)
    yield from build_periods(context, dbt, warehouse, MONTHLY_MARTS, asked=asked,
                             touched=context.run.tags.get(TOUCHED_TAG) == "touched")
