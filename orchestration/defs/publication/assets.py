"""Publication: the `published` dbt models (released units and periods, re-ranked), then their
copy into a new `published.duckdb` swapped in atomically, with its exports and dashboard."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from foundation import settings
from orchestration.lib import step_inputs
from orchestration.lib.dbt_project import (
    DBT_PROJECT,
    MANIFEST,
    PUBLISHED_TAG,
    ChisoDbtTranslator,
    in_dependency_order,
)
from orchestration.lib.dbt_runs import dbt_build
from orchestration.lib.partitions import TOUCHED_TAG
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient

GROUP = "publication"
MODELS_STEP, FILE_STEP = "published_models", "published_file"
PUBLICATION_CODE = Path(__file__).resolve().parents[3] / "publication"


def _nightly(context: dg.AssetExecutionContext) -> bool:
    """A run that brings every month up to date (nightly, sensor, plain `chiso run`) may skip
    what did not change; a run asking for months (the monthly schedule, a backfill) does not."""
    return context.run.tags.get(TOUCHED_TAG) == "touched"


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
            select=PUBLISHED_TAG, name="dbt_published_models", retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def dbt_published_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                         warehouse: WarehouseResource) -> Iterator[Any]:
    """The published tables, built after the monthly marts they copy (a nightly run after a
    gate that found nothing new builds nothing)."""
    with warehouse.connect() as con:
        inputs = step_inputs.watermarks_digest(con, ("quality_gate",))
        if _nightly(context) and step_inputs.unchanged(con, MODELS_STEP, inputs):
            context.log.info("the quality gate found nothing new: published tables as they are")
            for key in in_dependency_order(context.assets_def, context.selected_asset_keys):
                yield dg.Output(None, metadata={"chiso/skipped": "no change"},
                                output_name=context.assets_def.get_output_name_for_asset_key(key))
            return
    yield from dbt_build(context, dbt, warehouse)
    if not context.is_subset:
        with warehouse.connect() as con:
            step_inputs.record(con, MODELS_STEP, inputs, context.run.run_id)


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
        inputs = step_inputs.fingerprint(
            step_inputs.watermarks_digest(con, (MODELS_STEP,)),
            step_inputs.files_digest(PUBLICATION_CODE))
        if _nightly(context) and settings.published_path().exists() and step_inputs.unchanged(
                con, FILE_STEP, inputs):
            context.log.info(f"nothing new to publish: {settings.published_path()} stays")
            return dg.MaterializeResult(metadata={"chiso/skipped": "no change"})
        result = publish(con, context.run.run_id)
        step_inputs.record(con, FILE_STEP, inputs, context.run.run_id)
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
