"""dbt flows one way: staging -> intermediate -> marts. Checked on the manifest the build step
(`make setup`, `dbt parse`) produced, so a wrong `ref` fails here before anything runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from foundation.settings import DBT_PROJECT_DIR

LAYER_ORDER = {"staging": 0, "intermediate": 1, "marts": 2}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


def layer(node: dict[str, Any]) -> str | None:
    fqn = node.get("fqn", [])
    return fqn[1] if node.get("resource_type") == "model" and len(fqn) > 2 else None


def backwards_refs(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(model, parent) pairs where a model reads a layer above its own."""
    nodes = manifest["nodes"]
    found = []
    for node in nodes.values():
        mine = layer(node)
        if mine not in LAYER_ORDER:
            continue
        for parent_id in node["depends_on"]["nodes"]:
            parent = nodes.get(parent_id)
            theirs = layer(parent) if parent else None
            if theirs in LAYER_ORDER and LAYER_ORDER[theirs] > LAYER_ORDER[mine]:
                found.append((node["name"], parent["name"]))
    return sorted(found)


def test_no_model_reads_a_layer_above_its_own(manifest: dict[str, Any]) -> None:
    assert backwards_refs(manifest) == []


def test_the_check_sees_an_intermediate_model_reading_a_mart(manifest: dict[str, Any]) -> None:
    nodes = manifest["nodes"]
    lifecycle = nodes["model.chiso.int_dossier__lifecycle"]
    broken = {**manifest, "nodes": {**nodes, lifecycle["unique_id"]: {
        **lifecycle, "depends_on": {**lifecycle["depends_on"],
                                    "nodes": ["model.chiso.dim_date"]}}}}
    assert backwards_refs(broken) == [("int_dossier__lifecycle", "dim_date")]


def test_every_model_column_description_comes_from_one_doc_block() -> None:
    """Column descriptions are written once, in `_<folder>__docs.md` doc blocks."""
    inline = []
    for path in (DBT_PROJECT_DIR / "models").rglob("_*__models.yml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        in_models = False
        for number, line in enumerate(lines, start=1):
            if line and not line.startswith((" ", "#")):
                in_models = line.startswith("models:")
            if in_models and line.startswith("        description:") and "doc(" not in line:
                inline.append(f"{path.relative_to(DBT_PROJECT_DIR)}:{number}")
    assert inline == []
