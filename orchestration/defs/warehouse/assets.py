"""The unpartitioned dbt models: staging, intermediate (the dossier lifecycle, reference data)
and the marts rebuilt whole on every run (dimensions, yearly indices).

A run builds what its inputs ask for (`orchestration.lib.dirty_months.plan_unpartitioned_build`):
nothing when no file was loaded and no code, seed or reference data changed since the last
whole build; the new rows only (the dossier models are incremental) when files came; every
dossier again (`--full-refresh`) when what they are judged against changed.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from foundation import settings
from orchestration.lib import dirty_months
from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    UNPARTITIONED,
    ChisoDbtTranslator,
    in_dependency_order,
)
from orchestration.lib.resources import WarehouseResource

WATERMARK = "unpartitioned_models"


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            exclude=UNPARTITIONED, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    target = settings.dbt_target_dir("dbt_models")
    if context.is_subset:  # a hand-picked part of the graph: build exactly that
        with warehouse.dbt_environment():
            yield from dbt.cli(["build"], context=context, target_path=target).stream()
        return
    with warehouse.connect() as con:
        plan = dirty_months.plan_unpartitioned_build(
            con, MANIFEST, dirty_months.previous_watermark(con, WATERMARK))
    context.log.info(f"unpartitioned models: {plan.reason}")
    if plan.skip:
        for key in in_dependency_order(context.assets_def, context.selected_asset_keys):
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                            metadata={"chiso/build": plan.reason})
        return
    args = ["build", "--full-refresh"] if plan.full_refresh else ["build"]
    with warehouse.dbt_environment():
        yield from dbt.cli(args, context=context, target_path=target).stream()
    with warehouse.connect() as con:
        dirty_months.save_watermark(con, WATERMARK, plan.mark, None, context.run.run_id)
