"""Publication: the `published` dbt models (released units and periods, re-ranked), then their
copy into a new `published.duckdb` swapped in atomically, with its exports and dashboard."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from foundation import settings
from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    PUBLISHED_TAG,
    ChisoDbtTranslator,
)
from orchestration.lib.resources import WarehouseResource

GROUP = "publication"


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            select=PUBLISHED_TAG, name="dbt_published_models")
def dbt_published_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                         warehouse: WarehouseResource) -> Iterator[Any]:
    """The published tables, built after the monthly marts they copy."""
    with warehouse.dbt_environment():
        yield from dbt.cli(["build"], context=context,
                           target_path=settings.dbt_target_dir("dbt_published_models")).stream()


@dg.asset(key=["publication", "published_file"], group_name=GROUP,
          deps=list(dbt_published_models.keys), kinds={"duckdb", "python"},
          owners=["team:data-engineering"])
def published_file(context: dg.AssetExecutionContext,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`published.duckdb`: the `published` schema copied into a new file, checked and swapped
    in with one rename (readers keep the previous one whole until they reconnect)."""
    from publication.build import publish

    with warehouse.connect() as con:
        result = publish(con, context.run.run_id)
    context.log.info(f"published {result.name}: {result.path}")
    return dg.MaterializeResult(metadata={
        "publication": result.name, "path": str(result.path),
        "exports": str(result.exports_dir), "code_version": result.code_version,
        "tables": dg.MetadataValue.json(result.tables),
        **{f"seconds_{k}": round(v, 2) for k, v in result.seconds.items()},
    })
