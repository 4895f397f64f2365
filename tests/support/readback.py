"""Read generated or real export files back as plain rows, independently of `ingestion/`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a file (a spreadsheet's title row and the blank row under it are skipped)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {k: (v if v != "" else None) for k, v in row.items()}
                for row in csv.DictReader(handle)
            ]
    if suffix == ".jsonl":
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                rows.append({"__unparseable__": line})
        return rows
    if suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if suffix == ".xlsx":
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        if len(sheet) > 2 and sum(c not in ("", None) for c in sheet[0]) == 1 and not any(
                c not in ("", None) for c in sheet[1]):
            sheet = sheet[2:]  # a report title above the header, as published tables print
        header = [str(h) for h in sheet[0]]
        return [
            {k: (v if v != "" else None) for k, v in zip(header, row, strict=False)}
            for row in sheet[1:]
        ]
    if suffix == ".json":  # the portal's evaluation export: one row per unit and metric
        return _portal_evaluation_rows(json.loads(path.read_text(encoding="utf-8")))
    raise ValueError(f"cannot read {path}")


# rows a node of each tree group stands for: its ratios, and the group's own score row
_TREE_ROWS = {"PROGRESS": 1, "ONLINE_SERVICE": 3, "PAYMENT": 4}


def _portal_evaluation_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    data = document["data"]
    if data["group"] not in _TREE_ROWS:
        return [metric for unit in data["units"] for metric in unit["metrics"]]

    def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [node] + [n for child in node.get("children") or [] for n in nodes(child)]

    found = nodes(data["parent"]) + [n for c in data.get("children") or [] for n in nodes(c)]
    return [node for node in found for _ in range(_TREE_ROWS[data["group"]])]
