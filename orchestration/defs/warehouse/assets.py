"""The unpartitioned dbt models: staging, intermediate (the dossier lifecycle, reference data)
and the marts rebuilt whole on every run (dimensions, yearly indices)."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt_project import DBT_PROJECT, MANIFEST, UNPARTITIONED, ChisoDbtTranslator
from orchestration.lib.resources import WarehouseResource


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            exclude=UNPARTITIONED, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context).stream()
