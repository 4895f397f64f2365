"""Checks on what the inbox brought: freshness (has anything new arrived lately?)."""

import datetime as dt

import dagster as dg

from foundation.settings import stale_after_days
from orchestration.lib.resources import WarehouseResource
from publication.freshness import freshness

VN = dt.timezone(dt.timedelta(hours=7))


@dg.asset_check(asset=dg.AssetKey(["raw", "load_manifest"]), name="inbox_is_fresh",
                description="New rows arrived within CHISO_STALE_AFTER_DAYS (default 3) days; "
                            "otherwise the published indicators are stale.")
def inbox_is_fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    now = dt.datetime.now(VN).replace(tzinfo=None)
    with warehouse.connect() as con:
        fresh = freshness(con, now, stale_after_days())
    return dg.AssetCheckResult(
        passed=not fresh.is_stale,
        severity=dg.AssetCheckSeverity.WARN,  # stale is a warning: it never blocks a run
        metadata={"newest_rows_loaded_at": str(fresh.data_loaded_through),
                  "age_days": fresh.age_days if fresh.age_days is not None else -1.0,
                  "stale_after_days": fresh.stale_after_days},
        description=None if not fresh.is_stale else "nothing loaded yet"
        if fresh.age_days is None else
        f"nothing new for {fresh.age_days:.1f} days (limit {fresh.stale_after_days:g}): the "
        "publication says its indicators are stale",
    )
