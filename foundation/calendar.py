"""Vietnam's working-day calendar, vectorised.

Public holidays (Tết by the lunar calendar included) and the Saturdays the government
swaps into working days come from the `holidays` library; days it does not know yet go
into `dbt_project/seeds/working_day_overrides.csv`, which both this module and the dbt
date dimension read.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import holidays
import numpy as np
import pyarrow as pa

from foundation.settings import SEEDS_DIR

OVERRIDES_PATH = SEEDS_DIR / "working_day_overrides.csv"
EPOCH = dt.date(1970, 1, 1)


def read_overrides(path: Path = OVERRIDES_PATH) -> dict[dt.date, bool]:
    with path.open(encoding="utf-8") as handle:
        return {
            dt.date.fromisoformat(row["calendar_date"]): row["is_working_day"].strip().lower()
            == "true"
            for row in csv.DictReader(handle)
        }


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days between two years inclusive; day numbers are days since 1970-01-01."""

    first_year: int
    last_year: int
    overrides_path: Path = OVERRIDES_PATH

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays("VN", years=range(self.first_year, self.last_year + 1))

    @cached_property
    def overrides(self) -> dict[dt.date, bool]:
        return read_overrides(self.overrides_path)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return bool(self._holidays.is_working_day(day))

    def holiday_name(self, day: dt.date) -> str | None:
        return self._holidays.get(day)

    @cached_property
    def days(self) -> list[dt.date]:
        start, end = dt.date(self.first_year, 1, 1), dt.date(self.last_year, 12, 31)
        return [start + dt.timedelta(n) for n in range((end - start).days + 1)]

    @cached_property
    def working_day_numbers(self) -> np.ndarray:
        """Sorted day numbers of every working day in range."""
        return np.array(
            [(d - EPOCH).days for d in self.days if self.is_working_day(d)], dtype=np.int64
        )

    def add_working_days(self, day_numbers: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The n-th working day strictly after each day (n >= 1)."""
        work = self.working_day_numbers
        after = np.searchsorted(work, np.asarray(day_numbers, dtype=np.int64), side="right")
        target = after + np.asarray(n, dtype=np.int64) - 1
        if np.any(target >= len(work)) or np.any(np.asarray(n) < 1):
            raise ValueError("working-day offset falls outside the calendar's years")
        return work[target]

    def working_days_between(self, start_days: np.ndarray, end_days: np.ndarray) -> np.ndarray:
        """Working days in (start, end]: 0 when end <= start."""
        work = self.working_day_numbers
        counts = np.searchsorted(work, end_days, side="right") - np.searchsorted(
            work, start_days, side="right"
        )
        return np.maximum(counts, 0)

    def is_working(self, day_numbers: np.ndarray) -> np.ndarray:
        work = self.working_day_numbers
        idx = np.clip(np.searchsorted(work, day_numbers), 0, len(work) - 1)
        return work[idx] == day_numbers


def calendar_table(first_year: int, last_year: int) -> pa.Table:
    """Every day of the years with its working-day status, as `raw.calendar_days` holds it."""
    cal = WorkingCalendar(first_year, last_year)
    days = cal.days
    swapped = {d for d in getattr(cal._holidays, "weekend_workdays", set())}
    return pa.table({
        "calendar_date": pa.array(days, pa.date32()),
        "is_working_day": pa.array([cal.is_working_day(d) for d in days]),
        "is_weekend": pa.array([d.weekday() >= 5 for d in days]),
        "holiday_name": pa.array([cal.holiday_name(d) for d in days], pa.string()),
        "is_swapped_workday": pa.array([d in swapped and d.weekday() >= 5 for d in days]),
        "is_override": pa.array([d in cal.overrides for d in days]),
    })
