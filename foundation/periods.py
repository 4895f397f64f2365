"""A period as people write it where they read it (the stewards' report, the dashboard)."""

from __future__ import annotations

import datetime as dt


def period_label_vi(start: dt.date, period_type: str | None) -> str:
    """tháng 03/2025, quý 3/2025, năm 2025; a period of no stated type reads as its month."""
    if period_type == "year":
        return f"năm {start.year}"
    if period_type == "quarter":
        return f"quý {(start.month - 1) // 3 + 1}/{start.year}"
    return f"tháng {start:%m/%Y}"
