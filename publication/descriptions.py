"""Descriptions of the published tables and columns, read from the dbt manifest.

dbt is the one place they are written (doc blocks); the publication copies them into the
published file as DuckDB comments, and a published column without one stops the publication.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from foundation import settings

PUBLISHED_SCHEMA = "published"


class MissingDescriptionError(ValueError):
    """A published table or column has no description: the publication stops."""


@dataclass(frozen=True)
class ColumnDoc:
    description: str
    label_vi: str | None = None


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str
    columns: dict[str, ColumnDoc] = field(default_factory=dict)


def default_manifest_path() -> Path:
    return settings.DBT_PROJECT_DIR / "target" / "manifest.json"


def published_docs(manifest_path: Path | None = None) -> dict[str, TableDoc]:
    """Every node of schema `published` in the manifest, by relation name (its alias)."""
    manifest = json.loads((manifest_path or default_manifest_path()).read_text(encoding="utf-8"))
    docs: dict[str, TableDoc] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("schema") != PUBLISHED_SCHEMA or node.get("resource_type") not in (
            "model", "seed", "snapshot"
        ):
            continue
        name = node.get("alias") or node["name"]
        columns = {}
        for column_name, column in (node.get("columns") or {}).items():
            meta = {**(column.get("config") or {}).get("meta", {}), **(column.get("meta") or {})}
            columns[column_name.lower()] = ColumnDoc(
                description=(column.get("description") or "").strip(),
                label_vi=(meta.get("label_vi") or None),
            )
        docs[name.lower()] = TableDoc(
            name=name, description=(node.get("description") or "").strip(), columns=columns)
    return docs


def require_descriptions(tables: dict[str, list[str]], docs: dict[str, TableDoc]) -> None:
    """Raise naming every published table and column (`table.column`) without a description."""
    missing: list[str] = []
    for table, columns in sorted(tables.items()):
        doc = docs.get(table.lower())
        if doc is None or not doc.description:
            missing.append(table)
        for column in columns:
            column_doc = doc.columns.get(column.lower()) if doc else None
            if column_doc is None or not column_doc.description:
                missing.append(f"{table}.{column}")
    if missing:
        raise MissingDescriptionError(
            "published without a description in the dbt manifest (write it in the model's YAML "
            "and run `make setup`): " + ", ".join(missing)
        )


_FIRST_SENTENCE = re.compile(r"^(.+?[.;:])(\s|$)", re.DOTALL)


# one Vietnamese header per published column name, whatever table it is in
COLUMN_LABELS_FILE = Path(__file__).with_name("column_labels_vi.csv")


@functools.cache
def column_labels() -> dict[str, str]:
    """Column name -> the Vietnamese header people read (`column_labels_vi.csv`)."""
    with COLUMN_LABELS_FILE.open(encoding="utf-8", newline="") as f:
        return {row["column"]: unicodedata.normalize("NFC", row["label_vi"].strip())
                for row in csv.DictReader(f)}


def header_vi(column: str, doc: ColumnDoc | None) -> str:
    """The header a reader of a spreadsheet or the dashboard sees: the column's own `label_vi`
    (dbt meta), else its Vietnamese label (`column_labels_vi.csv`), else the first sentence of
    its description, else its name."""
    if doc and doc.label_vi:
        return doc.label_vi.strip()
    if column.lower() in column_labels():
        return column_labels()[column.lower()]
    if doc and doc.description:
        text = " ".join(doc.description.split())
        match = _FIRST_SENTENCE.match(text)
        return (match.group(1) if match else text).rstrip(".;:").strip()
    return column
