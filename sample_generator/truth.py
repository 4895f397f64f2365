"""The ground-truth manifest: every file written and every defect injected, with its rows.

Rows are 1-based data-row numbers (row 1 is the first record after any header); for CSV
without embedded newlines the physical line is row + 1, for JSON Lines it is the row.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Layer = Literal["contract", "consistency", "anomaly"]


@dataclass
class WrittenFile:
    path: str  # relative to the inbox
    family: str
    format: str
    rows: int
    encoding: str = "utf-8"
    normalization: str = "NFC"
    timestamp_format: str | None = None
    note: str | None = None


@dataclass
class Defect:
    kind: str
    layer: Layer
    file: str | None
    rows: list[int]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class GroundTruth:
    seed: int
    files: list[WrittenFile] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)

    def add_file(self, written: WrittenFile) -> None:
        self.files.append(written)

    def add_defect(
        self, kind: str, layer: Layer, file: str | None, rows: list[int], **details: Any
    ) -> None:
        self.defects.append(Defect(kind, layer, file, sorted(int(r) for r in rows), details))

    def write(self, path: Path) -> None:
        payload = {
            "seed": self.seed,
            "row_numbering": "1-based data rows after any header",
            "files": [asdict(f) for f in sorted(self.files, key=lambda f: f.path)],
            "defects": [asdict(d) for d in self.defects],
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
