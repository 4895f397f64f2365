"""The unpartitioned dbt models: staging, intermediate (the dossier lifecycle, reference data)
and the marts rebuilt whole on every run (dimensions, yearly indices)."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt_project import DBT_PROJECT, MANIFEST, UNPARTITIONED, ChisoDbtTranslator
from orchestration.lib.dbt_runs import dbt_build
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            exclude=UNPARTITIONED, name="dbt_models", retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    yield from dbt_build(context, dbt, warehouse)
