"""The national portal's evaluation export (dichvucong.gov.vn "đánh giá chất lượng phục vụ",
SPEC 2.4b) flattened into rows a contract can check.

One JSON file per group and period, envelope `{"code", "data", "message"}`. Publicity,
satisfaction and digitisation list units, each with `metrics[]` (`code`, `name`, `numerator`,
`denominator`, `ratio`, `score`, `maxScore`; nulls kept as nulls). Progress, online services and
payment are trees: `data.parent` (the province) and `data.children` (its units, each possibly
with `children` of its own), every node carrying its counts. Each metric of each unit becomes
one row (unit, period, metric code, numerator, denominator, ratio, score, max score); a tree node
gives one row per ratio it carries and, where the portal scores the group as a whole (online
services, payment), a row for the group with its score and no counts. Values stay as the file
typed them: `normalise` types them to the contract, which quarantines what breaks it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

# the columns of a flattened row, as the PORTAL_EVALUATION contract names them
COLUMNS = ["year", "month", "group", "unitCode", "unitName", "unitType", "parentCode", "code",
           "name", "numerator", "denominator", "ratio", "score", "maxScore"]

# tree groups: the ratios each node carries, as (metric code, numerator key, denominator key)
TREE_METRICS: dict[str, list[tuple[str, str, str]]] = {
    "PROGRESS": [("PROGRESS", "onTime", "received")],
    "ONLINE_SERVICE": [("ONLINE_PROVISION", "onlineProcedureDossiers", "received"),
                       ("ONLINE_SUBMISSION", "onlineDossiers", "received")],
    "PAYMENT": [("PAYMENT_DOSSIER_ONLINE", "paidOnlineDossiers", "feeDossiers"),
                ("PAYMENT_PROCEDURE_INTEGRATED", "integratedFeeProcedures", "feeProcedures"),
                ("PAYMENT_PROCEDURE_WITH_DOSSIERS", "feeProceduresWithDossiers", "feeProcedures")],
}
# tree groups whose node score is the group's, not one ratio's
GROUP_SCORED = {"ONLINE_SERVICE", "PAYMENT"}
SUCCESS_CODES = {0, 200, "0", "200", "SUCCESS", "success"}


class NotAnEvaluationExport(Exception):
    """The file is JSON but not the portal's envelope."""


def looks_like_evaluation(head: bytes) -> bool:
    """JSON whose first bytes open an object with the envelope's keys, spread over several lines
    or not (a JSON Lines file holds one record per line, never this envelope)."""
    head = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"data"' in head and b'"code"' in head \
        and b'"message"' in head


def is_portal_evaluation(path: Path) -> bool:
    """A file whose first bytes open the envelope."""
    with path.open("rb") as handle:
        return looks_like_evaluation(handle.read(4096))


def _ratio(numerator: Any, denominator: Any) -> float | None:
    try:
        return float(numerator) / float(denominator) if float(denominator) > 0 else None
    except (TypeError, ValueError):
        return None


def _unit(node: dict[str, Any], parent: str | None) -> dict[str, Any]:
    return {"unitCode": node.get("unitCode"), "unitName": node.get("unitName"),
            "unitType": node.get("unitType"), "parentCode": parent}


def _tree_rows(group: str, node: dict[str, Any], parent: str | None) -> Iterator[dict[str, Any]]:
    unit = _unit(node, parent)
    for code, num_key, den_key in TREE_METRICS[group]:
        numerator, denominator = node.get(num_key), node.get(den_key)
        scored = group not in GROUP_SCORED
        yield {**unit, "code": code, "name": None, "numerator": numerator,
               "denominator": denominator, "ratio": _ratio(numerator, denominator),
               "score": node.get("score") if scored else None,
               "maxScore": node.get("maxScore") if scored else None}
    if group in GROUP_SCORED:
        yield {**unit, "code": group, "name": None, "numerator": None, "denominator": None,
               "ratio": None, "score": node.get("score"), "maxScore": node.get("maxScore")}
    for child in node.get("children") or []:
        yield from _tree_rows(group, child, node.get("unitCode"))


def _metric_rows(units: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in units:
        unit = _unit(node, node.get("parentCode"))
        for metric in node.get("metrics") or []:
            yield {**unit, "code": metric.get("code"), "name": metric.get("name"),
                   "numerator": metric.get("numerator"),
                   "denominator": metric.get("denominator"), "ratio": metric.get("ratio"),
                   "score": metric.get("score"), "maxScore": metric.get("maxScore")}


def flatten(document: Any) -> list[dict[str, Any]]:
    """The rows of one export, in the file's order."""
    if not isinstance(document, dict) or not {"code", "data"} <= document.keys():
        raise NotAnEvaluationExport("not the portal's envelope {code, data, message}")
    if document["code"] not in SUCCESS_CODES:
        raise NotAnEvaluationExport(
            f"the portal answered code {document['code']!r}: {document.get('message')!r}")
    data = document["data"]
    if not isinstance(data, dict):
        raise NotAnEvaluationExport("`data` is not an object")
    group = data.get("group")
    period = {"year": data.get("year"), "month": data.get("month"), "group": group}
    if group in TREE_METRICS:
        nodes = [data["parent"]] if data.get("parent") else []
        rows = [r for n in nodes for r in _tree_rows(group, n, None)]
        # children listed beside the parent (not inside it) belong to it
        parent_code = nodes[0].get("unitCode") if nodes else None
        for child in data.get("children") or []:
            rows.extend(_tree_rows(group, child, parent_code))
    else:
        rows = list(_metric_rows(data.get("units") or []))
    return [{**period, **row} for row in rows]


def rows_from_bytes(data: bytes) -> list[dict[str, Any]]:
    try:
        document = json.loads(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotAnEvaluationExport(f"not valid JSON: {error}") from None
    return flatten(document)


def read_rows(path: Path) -> list[dict[str, Any]]:
    return rows_from_bytes(path.read_bytes())


def as_table(rows: list[dict[str, Any]]) -> tuple[pa.Table, np.ndarray]:
    """Every value as text (the contract types it), and the 1-based row numbers."""
    def text(value: Any) -> str | None:
        return None if value is None else str(value)
    table = pa.table({c: pa.array([text(r.get(c)) for r in rows], pa.string()) for c in COLUMNS})
    return table, np.arange(1, len(rows) + 1)
