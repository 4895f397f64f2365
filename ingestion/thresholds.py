"""When a run must fail: a file, or a unit (an agency, or the province it belongs to), whose
share of quarantined rows passes the configured threshold.

The loader never raises for bad rows (they wait in raw.quarantine); the orchestration calls
`files_over_threshold` and `units_over_threshold` after loading and fails the run only for what
they return, saying which file or unit and why (its most frequent quarantine reasons). A unit
is counted over the run's inputs whose rows name one (raw.load_units): a province whose rows
are spread over many vendors' files, each under the threshold, still fails the run when most
of its own rows are bad. Threshold and minimum size are in `plausibility.toml` under
[bad_share], with their reasons; the warehouse's consistency checks use the same ones
(orchestration/defs/dossiers/checks.py).
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


@dataclass(frozen=True)
class UnitOverThreshold:
    unit_type: str  # agency / province
    unit_key: str  # an agency code, or a province key (gso34:01)
    rows_in: int
    rows_bad: int
    share: float
    threshold: float
    top_reasons: tuple[tuple[str, int], ...]  # (reason, rows), most frequent first
    bad_rows: str = "rows quarantined"

    @property
    def why(self) -> str:
        reasons = "; ".join(f"{r} ({n} rows)" for r, n in self.top_reasons)
        return (f"{self.unit_type} {self.unit_key}: {self.rows_bad} of {self.rows_in} "
                f"{self.bad_rows} ({self.share:.0%} > {self.threshold:.0%}): {reasons}")


def over_share(rows_in: int, rows_bad: int, config: Rules) -> bool:
    """The one rule for files and units alike: enough rows to judge, and too many bad."""
    return rows_in >= config.min_rows and rows_bad > config.max_share * rows_in


# an agency's province as the agency list gives it (raw.agencies: code and code system)
UNIT_SQL = """
with run_units as (
    select unit_code, sum(rows_in) as rows_in, sum(rows_quarantined) as rows_bad
    from raw.load_units
    where file_sha256 in (select unnest(?)) and unit_code is not null
    group by unit_code
),
by_unit as (
    select 'agency' as unit_type, unit_code as unit_key, rows_in, rows_bad from run_units
    union all
    select 'province', a.code_system || ':' || a.province_code, sum(u.rows_in), sum(u.rows_bad)
    from run_units u
    inner join raw.agencies a on a.agency_code = u.unit_code
    group by 1, 2
)
select unit_type, unit_key, rows_in, rows_bad from by_unit
where rows_in >= ? and rows_bad > ? * rows_in
order by unit_type, unit_key
"""


def units_over_threshold(con: duckdb.DuckDBPyConnection, shas: Iterable[str],
                         config: Rules | None = None) -> list[UnitOverThreshold]:
    """Agencies and provinces whose rows in these inputs (a run's) are too often bad."""
    config = config or rules()
    wanted = sorted(set(shas))
    if not wanted:
        return []
    over = con.execute(UNIT_SQL, [wanted, config.min_rows, config.max_share]).fetchall()
    found = []
    for unit_type, unit_key, rows_in, bad in over:
        agencies = ("select ?" if unit_type == "agency" else
                    "select agency_code from raw.agencies "
                    "where code_system || ':' || province_code = ?")
        reasons = con.execute(
            f"select {REASON_KIND_SQL} as kind, count(distinct (file_sha256, source_row)) as n "
            f"from raw.quarantine where file_sha256 in (select unnest(?)) "
            f"and unit_code in ({agencies}) group by kind order by n desc, kind limit ?",
            [wanted, unit_key, TOP_REASONS]).fetchall()
        found.append(UnitOverThreshold(unit_type, unit_key, int(rows_in), int(bad),
                                       bad / rows_in, config.max_share,
                                       tuple((r, int(n)) for r, n in reasons)))
    return found


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
