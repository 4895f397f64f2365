"""Checks on what the inbox brought: freshness (has anything new arrived lately?)."""

import datetime as dt
import os

import dagster as dg

from orchestration.lib.resources import WarehouseResource

# the published indicators are marked stale when nothing new has arrived for this long
DEFAULT_STALE_AFTER_DAYS = 3
VN = dt.timezone(dt.timedelta(hours=7))


def stale_after_days() -> float:
    return float(os.environ.get("CHISO_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


def newest_data(con) -> dt.datetime | None:
    return con.execute("select max(loaded_at) from raw.load_manifest "
                       "where status = 'loaded' and rows_new > 0").fetchone()[0]


@dg.asset_check(asset=dg.AssetKey(["raw", "load_manifest"]), name="inbox_is_fresh",
                description="New rows arrived within CHISO_STALE_AFTER_DAYS (default 3) days; "
                            "otherwise the published indicators are stale.")
def inbox_is_fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        newest = newest_data(con)
    limit = stale_after_days()
    now = dt.datetime.now(VN).replace(tzinfo=None)
    age_days = None if newest is None else (now - newest).total_seconds() / 86400
    return dg.AssetCheckResult(
        passed=age_days is not None and age_days <= limit,
        severity=dg.AssetCheckSeverity.WARN,  # stale is a warning: it never blocks a run
        metadata={"newest_rows_loaded_at": str(newest), "age_days": age_days or -1.0,
                  "stale_after_days": limit},
        description=None if age_days is not None and age_days <= limit else
        f"nothing new for {age_days:.1f} days (limit {limit:g})" if age_days is not None
        else "nothing loaded yet",
    )
