"""dbt models as assets. The manifest comes from the build step (`make setup` runs
`dbt parse`); nothing here runs dbt at import time."""


import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from foundation.settings import DBT_PROJECT_DIR

MONTHLY_TAG = "tag:monthly"
# the first month the warehouse holds dossier indicators for
MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=os.environ.get("CHISO_FIRST_MONTH", "2024-01-01"),
    timezone="Asia/Ho_Chi_Minh",
)

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

if not DBT_PROJECT.manifest_path.exists():
    raise FileNotFoundError(
        f"{DBT_PROJECT.manifest_path} is missing: run `make setup` (it runs `dbt parse`)"
    )


def stale_dbt_files() -> list[str]:
    """dbt files changed after the manifest was built: running on a stale manifest makes
    dbt build models Dagster does not know, so the CLI refuses and says what to run."""
    built = DBT_PROJECT.manifest_path.stat().st_mtime
    folders = ("models", "seeds", "macros", "tests", "dbt_project.yml")
    return sorted(
        str(p.relative_to(DBT_PROJECT_DIR))
        for folder in folders
        for p in ([DBT_PROJECT_DIR / folder] if folder.endswith(".yml")
                  else (DBT_PROJECT_DIR / folder).rglob("*"))
        if p.is_file() and p.stat().st_mtime > built
    )


class ChisoDbtTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the ingestion assets write; models are keyed by schema;
    groups follow the dbt folders (staging, intermediate, marts by domain)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return dg.AssetKey([dbt_resource_props.get("schema", "raw"), table])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        if len(fqn) >= 4 and fqn[1] == "marts":
            return f"marts_{fqn[2]}"
        return fqn[1] if len(fqn) >= 3 else "dbt"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=ChisoDbtTranslator(),
    exclude=MONTHLY_TAG,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=ChisoDbtTranslator(),
    select=MONTHLY_TAG,
    partitions_def=MONTHLY_PARTITIONS,
    # a backfill of many months is one dbt invocation over the whole window
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_monthly_models",
)
def dbt_monthly_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Incremental monthly marts: only the months of the partition (and the quarters and
    years containing them) are rebuilt; every other month's rows stay as they are."""
    window = context.partition_time_window
    dbt_vars = {"partition_start": window.start.date().isoformat(),
                "partition_end": window.end.date().isoformat()}
    context.log.info(f"building months in [{dbt_vars['partition_start']}, "
                     f"{dbt_vars['partition_end']})")
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()
