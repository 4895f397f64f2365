"""The report's charts are drawn once per content: what the last report drew the same way is
read back (quality.charts.ChartCache)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from quality import charts


@pytest.fixture
def rates() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("""
        create table marts.quality_self_reported_rates as
        select * from (values
            ('01', date '2025-01-01', 99.0, 71.5, 74.0),
            ('01', date '2025-02-01', 98.5, null, null),
            ('79', date '2025-01-01', 90.0, 89.0, 91.0)
        ) as t(unit_key, period_start, on_time_rate_reported_pct, on_time_rate_log_pct,
               on_time_rate_log_upper_pct)""")
    return con


def test_a_chart_with_the_same_rows_is_read_back_not_drawn(
        rates: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first = charts.ChartCache(tmp_path / "charts")
    drawn = charts.self_reported(rates, "01", cache=first)
    assert first.drawn == 1 and drawn.startswith("<svg")
    assert "Tỷ lệ đúng hạn tự báo cáo" in drawn  # NFC Vietnamese, as drawn

    second = charts.ChartCache(tmp_path / "charts")
    assert charts.self_reported(rates, "01", cache=second) == drawn
    assert second.drawn == 0
    # and the same as drawing it without a cache
    assert charts.self_reported(rates, "01") == drawn


def test_new_rows_or_another_unit_draw_a_new_chart(
        rates: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    before = charts.self_reported(rates, "01", cache=charts.ChartCache(tmp_path / "charts"))
    rates.execute("update marts.quality_self_reported_rates set on_time_rate_log_pct = 80.0 "
                  "where unit_key = '01' and period_start = date '2025-02-01'")
    cache = charts.ChartCache(tmp_path / "charts")
    after = charts.self_reported(rates, "01", cache=cache)
    assert cache.drawn == 1 and after != before
    other = charts.self_reported(rates, "79", cache=cache)
    assert cache.drawn == 2 and other not in (before, after)


def test_the_cache_keeps_only_the_charts_of_the_last_report(tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    old = charts.ChartCache(folder)
    for day in (1, 2):
        old.svg(("kind", dt.date(2025, 1, day)), _figure)
    assert len(list(folder.glob("*.svg"))) == 2

    new = charts.ChartCache(folder)
    kept = new.svg(("kind", dt.date(2025, 1, 2)), _figure)
    new.keep_only_used()
    assert new.drawn == 0 and kept.startswith("<svg")
    assert [p.name for p in folder.glob("*.svg")] == list(new.used)


def _figure() -> object:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    return fig
