"""The partitions of the graph, in one place, and what a run asks for.

The dossier marts are partitioned by month (Dagster partitions). The survey indices are built
by year, but they are not Dagster partitions: a Dagster run targets one partition range of one
partitions definition, so a run could never bring both months and years up to date (see
`orchestration/defs/surveys`). Every run carries a range of months; the years a run rebuilds
are its `years` config, else those new data touched.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

# the first month a partition exists for: the earliest round the warehouse is built for (2021)
FIRST_MONTH = "2021-01-01"
# the first survey year a plain run rebuilds: PAPI's first round (2009); PAR INDEX began with
# 2012, SIPAS with 2017
FIRST_YEAR = 2009
TIMEZONE = "Asia/Ho_Chi_Minh"

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, timezone=TIMEZONE, end_offset=1,
)

# a run with this tag rebuilds, within its range of months, only the months new data touched,
# and the years new data touched unless its config asks for years
TOUCHED_TAG = "chiso/periods"
RANGE_START, RANGE_END = ("dagster/asset_partition_range_start",
                          "dagster/asset_partition_range_end")


def month_range_tags(first: str, last: str) -> dict[str, str]:
    """A range of monthly partitions (keys `YYYY-MM-01`), as a backfill launches it."""
    return {RANGE_START: first, RANGE_END: last}


def touched_tags(now: dt.datetime | None = None) -> dict[str, str]:
    """Every month up to the current one, rebuilding only the months and years new data
    touched: what the schedule, the sensor and a plain `chiso run` ask for."""
    keys = MONTHLY_PARTITIONS.get_partition_keys(current_time=now)
    return {**month_range_tags(keys[0], keys[-1]), TOUCHED_TAG: "touched"}
