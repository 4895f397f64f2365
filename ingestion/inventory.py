"""What the inbox gave, from raw.load_manifest and raw.quarantine: every input loaded, skipped
or rejected, with its reason, and the reasons rows were quarantined (the `chiso inbox` view)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

# a reason without the row it points to ("exact duplicate of row 12" -> "exact duplicate"), so
# that rows quarantined for one cause count together
REASON_KIND_SQL = r"regexp_replace(reason, '( \(.*\))? of row [0-9]+.*$', '')"


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
    """Read only (a read-only connection will do): a warehouse without a manifest yet has an
    empty inventory, one from before the encoding/rows_repaired columns shows them empty."""
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'load_manifest'").fetchall()}
    if not columns:
        return Inventory((), ())
    encoding = "encoding" if "encoding" in columns else "null"
    repaired = "coalesce(rows_repaired, 0)" if "rows_repaired" in columns else "0"
    files = con.execute(
        f"select source_file, family, status, reason, {encoding}, coalesce(rows_in, 0), "
        f"coalesce(rows_loaded, 0), coalesce(rows_quarantined, 0), {repaired}, "
        "loaded_at from raw.load_manifest order by source_file").fetchall()
    reasons = con.execute(
        f"select source_file, {REASON_KIND_SQL}, count(distinct source_row) "
        "from raw.quarantine where file_sha256 in "
        "(select file_sha256 from raw.load_manifest where status = 'loaded') "
        "group by all order by 1, 3 desc, 2").fetchall()
    return Inventory(tuple(InboxFile(*row) for row in files),
                     tuple(QuarantineReason(s, r, int(n)) for s, r, n in reasons))
