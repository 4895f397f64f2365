"""The monthly dossier marts: processing statistics and the service index, monthly-partitioned.

Every run of the pipeline carries a range of months. A run tagged `chiso/months=touched`
(the nightly schedule, the inbox sensor, a plain `chiso run`: their range is every month up to
the current one) brings every month of its range up to date but rebuilds only the months new
data touched (`orchestration.lib.dirty_months`), recorded in the materialisation's metadata.
Any other run (a backfill from the UI, `chiso run --from/--to`) rebuilds exactly its months.
"""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from foundation import settings
from orchestration.lib import dirty_months
from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    MONTHLY_TAG,
    ChisoDbtTranslator,
    in_dependency_order,
)
from orchestration.lib.partitions import FIRST_MONTH, MONTHLY_PARTITIONS, TOUCHED_TAG
from orchestration.lib.resources import WarehouseResource

WATERMARK = "monthly_marts"


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource,
           months: dirty_months.MonthRange) -> Iterator[Any]:
    dbt_vars = {"partition_start": months.start.isoformat(),
                "partition_end": months.end.isoformat()}
    context.log.info(f"building months in [{dbt_vars['partition_start']}, "
                     f"{dbt_vars['partition_end']})")
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context,
                       target_path=settings.dbt_target_dir("dbt_monthly_models")).stream()


@dbt_assets(
    manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
    select=MONTHLY_TAG, partitions_def=MONTHLY_PARTITIONS,
    # a backfill of many months is one dbt invocation over the whole window
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_monthly_models",
)
def dbt_monthly_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                       warehouse: WarehouseResource) -> Iterator[Any]:
    """Incremental monthly marts: only the months asked for (or touched) are rebuilt, with the
    quarters and years containing them; every other month's rows stay as they are."""
    window = context.partition_time_window
    asked = dirty_months.MonthRange(window.start.date(), window.end.date())
    if context.run.tags.get(TOUCHED_TAG) != "touched":
        with warehouse.dbt_environment():
            yield from _build(context, dbt, asked)
        return
    with warehouse.connect() as con:
        current = dirty_months.current_watermark(con, MANIFEST)
        touched = dirty_months.months_to_rebuild(
            con, dirty_months.previous_watermark(con, WATERMARK), current,
            first_month=dt.date.fromisoformat(FIRST_MONTH))
    months = touched and dirty_months.MonthRange(max(touched.start, asked.start),
                                                 min(touched.end, asked.end))
    if months is None or months.start >= months.end:
        context.log.info("no new dossier data and no reference change: no month to rebuild")
        # the marts are current; Dagster wants the outputs in dependency order
        for key in in_dependency_order(context.assets_def, context.selected_asset_keys):
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                            metadata={"chiso/rebuilt_months": "none"})
    else:
        span = f"{months.start:%Y-%m}..{dirty_months.previous_month(months.end):%Y-%m}"
        with warehouse.dbt_environment():
            for event in _build(context, dbt, months):
                if isinstance(event, dg.Output):
                    event = event.with_metadata({**event.metadata, "chiso/rebuilt_months": span})
                yield event
    with warehouse.connect() as con:
        dirty_months.save_watermark(con, WATERMARK, current, months, context.run.run_id)
