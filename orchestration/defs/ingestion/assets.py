"""Raw assets: every export file in the inbox, loaded under its contract, one table each."""

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from foundation import settings
from foundation.calendar import calendar_table
from ingestion.contracts import CONTRACTS
from ingestion.loader import FileLoadResult, load_inbox
from ingestion.pseudonymise import pii_key_from_env
from ingestion.schema import create_raw_schema
from ingestion.thresholds import files_over_threshold, units_over_threshold
from orchestration.lib.progress import FileProgress
from orchestration.lib.rejected import set_aside_rejected
from orchestration.lib.resources import InboxResource, WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient

CALENDAR_YEARS = (2020, 2030)
GROUP = "ingestion"


def _raw_tables() -> dict[str, str]:
    """raw table -> family that fills it (answers tables come from their survey family)."""
    tables = {c.table: c.family for c in CONTRACTS}
    tables |= {c.answers_table: c.family for c in CONTRACTS if c.answers_table}
    return tables


RAW_TABLES = _raw_tables()
# written by the loader for every file, whatever its family
AUDIT_TABLES = {
    "load_manifest": "Every file seen: its family, status, reason and rows in/loaded/quarantined.",
    "quarantine": "Every row (or whole file) that broke its contract, with file, row and reason.",
}


def family_metadata(results: list[FileLoadResult], family: str) -> dict[str, int | float]:
    mine = [r for r in results if r.family == family]
    return {
        "files": len(mine),
        "files_loaded": sum(r.status == "loaded" for r in mine),
        "files_skipped": sum(r.status == "skipped" for r in mine),
        "files_rejected": sum(r.status == "rejected" for r in mine),
        "rows_in": sum(r.rows_in or 0 for r in mine),
        "rows_loaded": sum(r.rows_loaded or 0 for r in mine),
        "rows_quarantined": sum(r.rows_quarantined or 0 for r in mine),
        "rows_new": sum(r.rows_new or 0 for r in mine),
        "seconds": round(sum(r.seconds or 0.0 for r in mine), 2),
    }


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table],
            group_name=GROUP,
            description=f"Rows of the `{family}` exports that passed their contract.",
            kinds={"duckdb", "python"},
            owners=["team:data-engineering"],
        )
        for table, family in RAW_TABLES.items()
    ] + [
        dg.AssetSpec(["raw", table], group_name=GROUP, description=description,
                     kinds={"duckdb", "python"}, owners=["team:data-engineering"])
        for table, description in AUDIT_TABLES.items()
    ],
    name="raw_exports", retry_policy=TRANSIENT_RETRY,
)
@retried_only_if_transient
def raw_exports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> Iterator[dg.MaterializeResult]:
    """Load every new file of the inbox; what breaks a contract goes to raw.quarantine."""
    pii_key = pii_key_from_env(inbox.pii_key_env)
    inbox_path = inbox.resolved_path
    with warehouse.connect() as con, FileProgress(inbox_path) as progress:
        create_raw_schema(con)
        results = load_inbox(con, inbox_path, pii_key=pii_key, on_file=progress.advance)
        # a handful of bad rows never stops a run; a file, or a unit, mostly made of them does
        loaded = [r.file_sha256 for r in results if r.status == "loaded" and r.file_sha256]
        too_bad = [f.why for f in files_over_threshold(con, loaded)]
        too_bad += [u.why for u in units_over_threshold(con, loaded)]
    if not results:  # a first run pointed at the wrong folder says so, not just "0 files"
        state = "holds no export file" if inbox_path.exists() else "does not exist"
        context.log.warning(f"the inbox {inbox_path} {state}: nothing loaded (CHISO_INBOX, or "
                            f"CHISO_HOME/inbox, names the folder the export files are in)")
    rejected = [r for r in results if r.status == "rejected"]
    for r in rejected:
        context.log.warning(f"rejected {r.source_file}: {r.reason}")
    moved = set_aside_rejected(inbox_path, settings.rejected_dir(), results)
    for path in moved:
        context.log.warning(f"moved to {path} with its reason beside it")
    unattributed = [r for r in results if r.family is None]
    for table, family in RAW_TABLES.items():
        yield dg.MaterializeResult(
            asset_key=["raw", table], metadata=family_metadata(results, family)
        )
    yield dg.MaterializeResult(asset_key=["raw", "load_manifest"], metadata={
        "files": len(results), "files_rejected": len(rejected),
        "files_unattributed": len(unattributed)})
    yield dg.MaterializeResult(asset_key=["raw", "quarantine"], metadata={
        "rows_quarantined": sum(r.rows_quarantined or 0 for r in results)})
    if too_bad:
        raise dg.Failure(
            description="files or units whose share of bad rows passes the configured "
                        "threshold (ingestion/thresholds.py): " + "; ".join(too_bad),
            metadata={"over_threshold": too_bad})
    context.log.info(f"{len(results)} files seen, {len(rejected)} rejected "
                     f"({len(unattributed)} before their family was known)")


@dg.asset(key=["raw", "calendar_days"], group_name=GROUP, kinds={"duckdb", "python"},
          owners=["team:data-engineering"], retry_policy=TRANSIENT_RETRY)
@retried_only_if_transient
def raw_calendar_days(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Working days of Vietnam from the `holidays` library plus the overrides seed."""
    table: pa.Table = calendar_table(*CALENDAR_YEARS)
    with warehouse.connect() as con:
        con.execute("create schema if not exists raw")
        con.register("calendar_rows", table)
        con.execute("create or replace table raw.calendar_days as select * from calendar_rows")
    return dg.MaterializeResult(metadata={"days": table.num_rows,
                                          "years": f"{CALENDAR_YEARS[0]}–{CALENDAR_YEARS[1]}"})
