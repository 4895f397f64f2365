"""The reviewable suite files in `expectations/`: one per index family, each holding GX suites
(one per metric table) whose expectations carry their threshold's reason in `meta`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foundation.settings import PROJECT_ROOT
from quality.catalog import INDICES, LAYERS, SEVERITIES

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
REQUIRED_META = ("check", "label_vi", "severity", "reason")


class SuiteFileError(ValueError):
    """A suite file that a steward could not trust: named with the file and the fault."""


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]

    @property
    def check(self) -> str:
        return str(self.meta["check"])

    @property
    def severity(self) -> str:
        return str(self.meta["severity"])

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def threshold_text(self) -> str:
        parts = []
        if self.kwargs.get("min_value") is not None:
            parts.append(f"≥ {self.kwargs['min_value']}")
        if self.kwargs.get("max_value") is not None:
            parts.append(f"≤ {self.kwargs['max_value']}")
        if "value_set" in self.kwargs:
            parts.append(f"∈ {self.kwargs['value_set']}")
        if "mostly" in self.kwargs:
            parts.append(f"ít nhất {self.kwargs['mostly']:.1%} số dòng")
        return ", ".join(parts) or self.type


@dataclass(frozen=True)
class Suite:
    name: str
    layer: str
    query: str
    expectations: tuple[Expectation, ...]
    row_key: tuple[str, ...] = ()
    index_column: str | None = None
    indices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    layer: str
    notes: str
    suites: tuple[Suite, ...] = field(default_factory=tuple)


def load_suite_file(path: Path) -> SuiteFile:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteFileError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    layer = payload.get("layer")
    if layer not in LAYERS:
        raise SuiteFileError(f"{path}: layer {layer!r} is not one of {', '.join(LAYERS)}")
    suites = []
    for raw in payload.get("suites", []):
        meta = raw.get("meta", {})
        expectations = []
        for position, item in enumerate(raw.get("expectations", []), start=1):
            where = f"{path}: suite {raw.get('name')!r}, expectation {position}"
            item_meta = item.get("meta", {})
            missing = [k for k in REQUIRED_META if not str(item_meta.get(k) or "").strip()]
            if missing:
                raise SuiteFileError(f"{where}: meta lacks {', '.join(missing)}")
            if item_meta["severity"] not in SEVERITIES:
                raise SuiteFileError(f"{where}: severity {item_meta['severity']!r} unknown")
            expectations.append(Expectation(item["type"], dict(item["kwargs"]), dict(item_meta)))
        indices = tuple(meta.get("indices", ()))
        unknown = [i for i in indices if i not in INDICES]
        if unknown:
            raise SuiteFileError(f"{path}: suite {raw.get('name')!r} names unknown index {unknown}")
        suites.append(Suite(
            name=raw["name"], layer=layer, query=meta["query"], expectations=tuple(expectations),
            row_key=tuple(meta.get("row_key", ())), index_column=meta.get("index_column"),
            indices=indices))
    return SuiteFile(path, payload["name"], layer, payload.get("notes", ""), tuple(suites))


def load_suite_files(directory: Path = EXPECTATIONS_DIR) -> list[SuiteFile]:
    files = [load_suite_file(p) for p in sorted(directory.glob("*.json"))]
    checks = [e.check for f in files for s in f.suites for e in s.expectations]
    duplicated = sorted({c for c in checks if checks.count(c) > 1})
    if duplicated:
        raise SuiteFileError(f"{directory}: check names used twice: {', '.join(duplicated)}")
    return files


def known_checks(files: list[SuiteFile]) -> set[str]:
    return {e.check for f in files for s in f.suites for e in s.expectations}
