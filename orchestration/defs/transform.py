"""dbt models as assets. The manifest comes from the build step (`make setup` runs
`dbt parse`); nothing here runs dbt at import time."""


from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from chiso.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

if not DBT_PROJECT.manifest_path.exists():
    raise FileNotFoundError(
        f"{DBT_PROJECT.manifest_path} is missing: run `make setup` (it runs `dbt parse`)"
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
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests; an error-severity test failure stops the
    models downstream of it."""
    yield from dbt.cli(["build"], context=context).stream()
