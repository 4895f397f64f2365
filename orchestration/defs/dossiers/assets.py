"""The monthly dossier marts: processing statistics and the service index, monthly-partitioned.

A run with a partition (a backfill from the UI, `chiso run --from/--to`, the monthly schedule)
rebuilds exactly its months. A run without one (the nightly pipeline, the inbox sensor, a
plain `chiso run`, "Materialize" of the job in the UI) rebuilds the months new data touched
(`orchestration.lib.dirty_months`) and records them as those partitions' materialisations, so
every entry point leaves every month fresh and only pays for what changed.
"""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib import dirty_months
from orchestration.lib.dbt_project import DBT_PROJECT, MANIFEST, MONTHLY_TAG, ChisoDbtTranslator
from orchestration.lib.partitions import FIRST_MONTH, MONTHLY_PARTITIONS
from orchestration.lib.resources import WarehouseResource

WATERMARK = "monthly_marts"


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource,
           months: dirty_months.MonthRange) -> Iterator[Any]:
    dbt_vars = {"partition_start": months.start.isoformat(),
                "partition_end": months.end.isoformat()}
    context.log.info(f"building months in [{dbt_vars['partition_start']}, "
                     f"{dbt_vars['partition_end']})")
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()


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
    if context.has_partition_key or context.has_partition_key_range:
        window = context.partition_time_window
        months = dirty_months.MonthRange(window.start.date(), window.end.date())
        with warehouse.dbt_environment():
            yield from _build(context, dbt, months)
        return
    with warehouse.connect() as con:
        current = dirty_months.current_watermark(con, MANIFEST)
        months = dirty_months.months_to_rebuild(
            con, dirty_months.previous_watermark(con, WATERMARK), current,
            first_month=dt.date.fromisoformat(FIRST_MONTH))
    if months is None:
        context.log.info("no new dossier data and no reference change: no month to rebuild")
        return
    keys = months.partition_keys()
    tests_seen = {True: 0, False: 0}
    with warehouse.dbt_environment():
        for event in _build(context, dbt, months):
            if isinstance(event, dg.Output):
                # the run has no partition: say which partitions this build refreshed
                for key in keys:
                    yield dg.AssetMaterialization(
                        asset_key=context.asset_key_for_output(event.output_name),
                        partition=key, metadata={**event.metadata,
                                                 "chiso/months": f"{keys[0]}..{keys[-1]}"})
            elif isinstance(event, dg.AssetCheckResult):
                # Dagster attaches a check result to one partition or to an unpartitioned
                # materialisation, neither of which this build is; the dbt tests still gate
                # (a failing one fails the step), and their outcome is logged
                tests_seen[event.passed] += 1
                if not event.passed:
                    context.log.error(f"dbt test failed: {event.check_name} "
                                      f"on {event.asset_key.to_user_string()}")
            else:
                yield event
    context.log.info(f"dbt tests over months {keys[0]}..{keys[-1]}: "
                     f"{tests_seen[True]} passed, {tests_seen[False]} failed")
    with warehouse.connect() as con:
        dirty_months.save_watermark(con, WATERMARK, current, months, context.run.run_id)
