"""When a run must fail: a file whose share of quarantined rows passes the configured threshold.

The loader never raises for bad rows (they wait in raw.quarantine); the orchestration calls
`files_over_threshold` after loading and fails the run only for what it returns, saying which
file and why (its most frequent quarantine reasons). Threshold and minimum size are in
`plausibility.toml` under [bad_share], with their reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from ingestion.inventory import REASON_KIND_SQL
from ingestion.plausibility import Rules, rules

TOP_REASONS = 3


@dataclass(frozen=True)
class FileOverThreshold:
    source_file: str
    family: str | None
    rows_in: int
    rows_quarantined: int
    share: float
    threshold: float
    top_reasons: tuple[tuple[str, int], ...]  # (reason, rows), most frequent first

    @property
    def why(self) -> str:
        reasons = "; ".join(f"{r} ({n} rows)" for r, n in self.top_reasons)
        return (f"{self.source_file}: {self.rows_quarantined} of {self.rows_in} rows quarantined "
                f"({self.share:.0%} > {self.threshold:.0%}): {reasons}")


def files_over_threshold(con: duckdb.DuckDBPyConnection, shas: Iterable[str] | None = None,
                         config: Rules | None = None) -> list[FileOverThreshold]:
    """Loaded files (all, or those of `shas`: a run's results) with too many bad rows."""
    config = config or rules()
    wanted = None if shas is None else sorted(set(shas))
    if wanted == []:
        return []
    where = "" if wanted is None else "and file_sha256 in (select unnest(?))"
    params: list[object] = [config.min_rows, config.max_share]
    if wanted is not None:
        params.append(wanted)
    over = con.execute(
        "select source_file, family, rows_in, rows_quarantined, file_sha256 "
        "from raw.load_manifest where status = 'loaded' and rows_in >= ? "
        f"and rows_quarantined > ? * rows_in {where} order by source_file", params).fetchall()
    found = []
    for source, family, rows_in, bad, sha in over:
        reasons = con.execute(
            f"select {REASON_KIND_SQL} as kind, count(distinct source_row) as n "
            "from raw.quarantine where file_sha256 = ? group by kind order by n desc, kind "
            "limit ?",
            [sha, TOP_REASONS]).fetchall()
        found.append(FileOverThreshold(source, family, rows_in, bad, bad / rows_in,
                                       config.max_share, tuple((r, int(n)) for r, n in reasons)))
    return found
