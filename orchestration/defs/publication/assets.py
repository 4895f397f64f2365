"""Publication: the `published` dbt models (released units and periods, re-ranked), then their
copy into a new `published.duckdb` swapped in atomically, with its exports and dashboard."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    PUBLISHED_TAG,
    ChisoDbtTranslator,
)
from orchestration.lib.dbt_runs import dbt_build
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient

GROUP = "publication"


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            select=PUBLISHED_TAG, name="dbt_published_models", retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def dbt_published_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                         warehouse: WarehouseResource) -> Iterator[Any]:
    """The published tables, built after the monthly marts they copy."""
    yield from dbt_build(context, dbt, warehouse)


@dg.asset(key=["publication", "published_file"], group_name=GROUP,
          deps=list(dbt_published_models.keys), kinds={"duckdb", "python"},
          owners=["team:data-engineering"], retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def published_file(context: dg.AssetExecutionContext,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`published.duckdb`: the `published` schema copied into a new file, checked and swapped
    in with one rename (readers keep the previous one whole until they reconnect)."""
    from publication.build import publish

    with warehouse.connect() as con:
        result = publish(con, context.run.run_id)
    context.log.info(f"published {result.name}: {result.path}")
    return dg.MaterializeResult(metadata={
        "publication": result.name, "run_id": context.run.run_id, "path": str(result.path),
        "exports": str(result.exports_dir), "code_version": result.code_version,
        "tables": dg.MetadataValue.json(result.tables),
        # stale: no input brought new rows for CHISO_STALE_AFTER_DAYS (the dashboard says so)
        "is_stale": result.freshness.is_stale,
        "data_loaded_through": str(result.freshness.data_loaded_through),
        **{f"seconds_{k}": round(v, 2) for k, v in result.seconds.items()},
    })
