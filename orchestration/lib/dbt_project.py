"""The dbt project as Dagster sees it: the manifest the build step made (`make setup` runs
`dbt parse`; nothing here runs dbt at import time) and the translator that names its assets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from foundation.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST = DBT_PROJECT.manifest_path
MONTHLY_TAG = "tag:monthly"
YEARLY_TAG = "tag:yearly"
PUBLISHED_TAG = "tag:published"
# the models rebuilt whole on every run: neither partitioned nor the published copies
UNPARTITIONED = f"{MONTHLY_TAG} {YEARLY_TAG} {PUBLISHED_TAG}"

if not MANIFEST.exists():
    raise FileNotFoundError(f"{MANIFEST} is missing: run `make setup` (it runs `dbt parse`)")

# the domain of each dbt folder: the asset graph groups by domain, not by layer
DOMAIN_OF_FOLDER = {
    "dossier_portal": "dossiers", "dossiers": "dossiers", "csdl_tthc": "dossiers",
    "self_reported": "dossiers", "service_index": "dossiers", "petitions": "dossiers",
    "portal_evaluation": "dossiers",
    "surveys": "surveys", "par_index": "indices", "indices": "indices", "vcci": "indices",
    "pci": "indices",
    "reference": "reference", "core": "reference",
    "ingestion_audit": "ingestion", "quality": "quality", "published": "publication",
}
# who answers for each domain's tables (the data stewards decide what the quality gate withholds)
OWNERS = {"quality": ["team:data-stewards"]}
DEFAULT_OWNERS = ["team:data-engineering"]


def stale_dbt_files() -> list[str]:
    """dbt files changed after the manifest was built: running on a stale manifest makes
    dbt build models Dagster does not know, so the CLI refuses and says what to run."""
    built = MANIFEST.stat().st_mtime
    folders = ("models", "seeds", "macros", "tests", "dbt_project.yml")
    return sorted(
        str(p.relative_to(DBT_PROJECT_DIR))
        for folder in folders
        for p in ([DBT_PROJECT_DIR / folder] if folder.endswith(".yml")
                  else (DBT_PROJECT_DIR / folder).rglob("*"))
        if p.is_file() and p.stat().st_mtime > built
    )


class ChisoDbtTranslator(DagsterDbtTranslator):
    """Sources are the raw tables the ingestion assets write; models are keyed by schema
    (`marts/dim_province`); groups are domains (dossiers, surveys, indices, reference, ...),
    taken from the dbt folder a model lives in. dbt's tests are asset checks, those on sources
    too (on the raw tables; otherwise each run logs them as stray observations with a warning);
    a singular test reading several relations names the one it judges (`meta.dagster.ref`)."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_source_tests_as_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return dg.AssetKey([dbt_resource_props.get("schema", "raw"), table])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        # the relation's name (a published copy is `published/service_index_monthly`)
        name = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([schema, name])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        folder = fqn[2] if len(fqn) >= 4 else None
        return DOMAIN_OF_FOLDER.get(folder or "", "reference")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS.get(self.get_group_name(dbt_resource_props) or "", DEFAULT_OWNERS)


def in_dependency_order(assets_def: dg.AssetsDefinition,
                        keys: set[dg.AssetKey]) -> list[dg.AssetKey]:
    """The keys, each after those it depends on: the order Dagster wants outputs in when a
    step yields them without running dbt (nothing to rebuild)."""
    deps = {key: {d for d in assets_def.asset_deps.get(key, set()) if d in keys} for key in keys}
    ordered: list[dg.AssetKey] = []
    while deps:
        ready = sorted((k for k, d in deps.items() if not d), key=lambda k: k.to_user_string())
        ordered += ready
        deps = {k: d - set(ready) for k, d in deps.items() if k not in ready}
    return ordered
