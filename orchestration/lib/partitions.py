"""The partitions of the graph, in one place."""

from __future__ import annotations

import dagster as dg

# the first month a partition exists for: the earliest round the warehouse is built for (2021)
FIRST_MONTH = "2021-01-01"

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, timezone="Asia/Ho_Chi_Minh", end_offset=1,
)
