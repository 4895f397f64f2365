"""What every family generator shares: options, seeded randomness, calendar, units, output."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from foundation.calendar import WorkingCalendar
from sample_generator import writers
from sample_generator.config import SampleConfig
from sample_generator.truth import GroundTruth, WrittenFile


@dataclass
class SampleContext:
    config: SampleConfig
    inbox: Path
    truth: GroundTruth
    calendar: WorkingCalendar = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = WorkingCalendar(self.config.start.year - 1, self.config.end.year + 2)

    def rng(self, stream: str) -> np.random.Generator:
        """An independent stream per purpose, so adding one family never shifts another."""
        digest = hashlib.sha256(stream.encode()).digest()
        return np.random.default_rng([self.config.seed, int.from_bytes(digest[:8], "little")])

    def write(
        self,
        table: pa.Table,
        relative: str,
        family: str,
        *,
        bom: bool = False,
        nfd: bool = False,
        timestamp_format: str | None = None,
        note: str | None = None,
        title: str | None = None,
    ) -> Path:
        path = self.inbox / relative
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows = writers.write_csv(table, path, bom=bom, nfd=nfd)
            fmt = "csv"
        elif suffix == ".jsonl":
            rows = writers.write_jsonl(table, path)
            fmt = "jsonl"
        elif suffix == ".parquet":
            rows = writers.write_parquet(table, path)
            fmt = "parquet"
        elif suffix == ".xlsx":
            rows = writers.write_xlsx(table, path, title=title)
            fmt = "xlsx"
        else:
            raise ValueError(f"no writer for {relative}")
        self.truth.add_file(
            WrittenFile(
                path=relative,
                family=family,
                format=fmt,
                rows=rows,
                encoding="utf-8-sig" if bom else "utf-8",
                normalization="NFD" if nfd else "NFC",
                timestamp_format=timestamp_format,
                note=note,
            )
        )
        return path
