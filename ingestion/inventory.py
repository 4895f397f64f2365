"""What the inbox gave, from raw.load_manifest and raw.quarantine: every input loaded, skipped
or rejected, with its reason, and the reasons rows were quarantined (the `chiso inbox` view)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from ingestion.schema import create_raw_schema


@dataclass(frozen=True)
class InboxFile:
    source_file: str
    family: str | None
    status: str
    reason: str | None
    encoding: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_repaired: int
    loaded_at: dt.datetime


@dataclass(frozen=True)
class QuarantineReason:
    source_file: str
    reason: str
    rows: int  # distinct source rows (a row breaking two rules counts under each reason)


@dataclass(frozen=True)
class Inventory:
    files: tuple[InboxFile, ...]
    reasons: tuple[QuarantineReason, ...]

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


def inbox_inventory(con: duckdb.DuckDBPyConnection) -> Inventory:
    create_raw_schema(con)  # an empty warehouse has an empty inventory
    files = con.execute(
        "select source_file, family, status, reason, encoding, coalesce(rows_in, 0), "
        "coalesce(rows_loaded, 0), coalesce(rows_quarantined, 0), coalesce(rows_repaired, 0), "
        "loaded_at from raw.load_manifest order by source_file").fetchall()
    reasons = con.execute(
        "select q.source_file, q.reason, count(distinct q.source_row) from raw.quarantine q "
        "join raw.load_manifest m using (file_sha256) where m.status = 'loaded' "
        "group by all order by 1, 3 desc, 2").fetchall()
    return Inventory(tuple(InboxFile(*row) for row in files),
                     tuple(QuarantineReason(s, r, int(n)) for s, r, n in reasons))
