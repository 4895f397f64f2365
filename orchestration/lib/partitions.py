"""The partitions of the graph, in one place, and the tags that ask a run for months."""

from __future__ import annotations

import datetime as dt

import dagster as dg

# the first month a partition exists for: the earliest round the warehouse is built for (2021)
FIRST_MONTH = "2021-01-01"

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, timezone="Asia/Ho_Chi_Minh", end_offset=1,
)

# a run with this tag rebuilds, within its range, only the months new data touched
TOUCHED_TAG = "chiso/months"


def month_range_tags(first: str, last: str) -> dict[str, str]:
    """A range of monthly partitions (keys `YYYY-MM-01`), as a backfill launches it."""
    return {"dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last}


def touched_months_tags(now: dt.datetime | None = None) -> dict[str, str]:
    """Every month up to the current one, rebuilding only those new data touched: what the
    schedule, the sensor and a plain `chiso run` ask for."""
    keys = MONTHLY_PARTITIONS.get_partition_keys(current_time=now)
    return {**month_range_tags(keys[0], keys[-1]), TOUCHED_TAG: "touched"}
