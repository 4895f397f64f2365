"""The unpartitioned dbt models: staging, intermediate (the dossier lifecycle, reference data)
and the marts rebuilt whole on every run (dimensions, yearly indices).

A run builds what its inputs ask for (`orchestration.lib.unpartitioned_build`):
nothing when no file was loaded and no code, seed or reference data changed since the last
whole build; the new rows only (the dossier models are incremental) when files came; every
dossier again (`--full-refresh`) when what they are judged against changed.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    UNPARTITIONED,
    ChisoDbtTranslator,
    in_dependency_order,
)
from orchestration.lib.dbt_runs import dbt_build
from orchestration.lib.dirty_periods import previous_watermark, save_watermark
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient
from orchestration.lib.unpartitioned_build import WATERMARK, plan_unpartitioned_build


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            exclude=UNPARTITIONED, name="dbt_models", retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    if context.is_subset:  # a hand-picked part of the graph: build exactly that
        yield from dbt_build(context, dbt, warehouse)
        return
    with warehouse.connect() as con:
        plan = plan_unpartitioned_build(con, MANIFEST, previous_watermark(con, WATERMARK))
    context.log.info(f"unpartitioned models: {plan.reason}")
    if plan.skip:
        for key in in_dependency_order(context.assets_def, context.selected_asset_keys):
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                            metadata={"chiso/build": plan.reason})
        return
    yield from dbt_build(context, dbt, warehouse, ["--full-refresh"] if plan.full_refresh else [])
    with warehouse.connect() as con:
        save_watermark(con, WATERMARK, plan.mark, None, context.run.run_id)
