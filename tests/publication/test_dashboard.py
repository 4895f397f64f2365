"""The dashboard opened in a real browser (Debian's headless Chromium), offline, from the file."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import plotly.offline
import pytest

from foundation import settings
from publication import dashboard
from publication.build import publish
from tests.publication.conftest import Home

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(os.environ.get("CHISO_TEST_ARTEFACTS", settings.PROJECT_ROOT / "var" /
                                "test-artefacts"))


def render(page: Path, profile: Path, screenshot: Path) -> str:
    """The DOM after the page's scripts ran, with a screenshot beside it."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed: apt-get install -y chromium (.ci/run does it)")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=10000",
         "--window-size=1200,4000", f"--screenshot={screenshot}", "--dump-dom",
         page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def chart(dom: str, div_id: str) -> str:
    """The rendered markup of one plotly chart, up to the next chart."""
    start = dom.index(f'id="{div_id}"')
    own_class = dom.index("plotly-graph-div", start)
    following = dom.find("plotly-graph-div", own_class + 1)
    return dom[start:following if following > 0 else len(dom)]


def drawn_paths(markup: str) -> int:
    """SVG paths with a drawn shape (bars and lines have a `d` starting with M)."""
    return len(re.findall(r'<path[^>]* d="M[\d.]', markup))


def test_the_dashboard_renders_every_chart_offline(home: Home, tmp_path: Path) -> None:
    result = home.publish("run-aaaa1111")
    page = result.exports_dir / "dashboard" / "index.html"
    html = page.read_text(encoding="utf-8")
    # offline: plotly.js is inside the page, and the rest of the page fetches nothing
    assert plotly.offline.get_plotlyjs() in html
    rest = html.replace(plotly.offline.get_plotlyjs(), "")
    assert "src=" not in rest and "http" not in rest and "<link" not in rest
    assert unicodedata.is_normalized("NFC", rest)  # Vietnamese text composed, as people type it

    shot = ARTEFACTS / "dashboard.png"
    dom = render(page, tmp_path / "chromium", shot)
    assert shot.stat().st_size > 20_000  # a real picture, kept as the test's artefact

    # 34 bars of the gso34 ranking, 34 rank changes, one province's line, two national lines
    assert drawn_paths(chart(dom, "ranking-0")) >= 34
    assert drawn_paths(chart(dom, "rank-change-0")) >= 34
    assert 'class="js-line"' in chart(dom, "province-trend")
    national = chart(dom, "national-on-time")
    # one drawn line per code system in the plot area (the legend draws its own samples)
    assert len(re.findall(r'class="trace scatter', national)) == 2
    assert len(re.findall(r'class="js-line"[^>]* d="M[\d.]', national)) >= 2
    assert "Mã 63 tỉnh" in national and "Mã 34 tỉnh" in national

    # Vietnamese names with their diacritics, drawn as SVG text by the browser
    axis_labels = re.findall(r"<text[^>]*>([^<]+)</text>", chart(dom, "ranking-0"))
    assert {"Thành phố Hà Nội", "Đắk Lắk", "Thành phố Hồ Chí Minh"} <= set(axis_labels)
    assert "1/34" in axis_labels  # "rank N of M" on the bars
    # the scorecard and the withheld units
    assert '<select id="card-select">' in dom and "Bảng điểm của một tỉnh" in dom
    assert "Đơn vị tạm dừng công bố và lý do" in dom and "bất thường" in dom
    withheld = dom[dom.index("Đơn vị tạm dừng công bố và lý do"):]
    assert {"Đơn vị", "Kỳ", "Lý do"} <= set(re.findall(r"<th>([^<]+)</th>", withheld))
    # data loaded just now: no stale warning, even once the page's clock check has run
    assert '<p id="stale" class="stale" hidden="">' in dom


def test_a_chart_is_drawn_only_when_its_table_is_published(home: Home, tmp_path: Path) -> None:
    result = home.publish("run-aaaa1111")
    home.con.execute("drop table published.dossier_indicators")
    home.con.execute("drop table published.withheld_units")
    smaller = publish(home.con, "run-bbbb2222", published=home.published,
                      publications=home.publications, manifest=home.manifest)
    with_all = (result.exports_dir / "dashboard" / "index.html").read_text(encoding="utf-8")
    without = (smaller.exports_dir / "dashboard" / "index.html").read_text(encoding="utf-8")
    for div in ("province-trend", "national-on-time"):
        assert f'id="{div}"' in with_all and f'id="{div}"' not in without
    assert 'id="ranking-0"' in without and "tạm dừng công bố" not in without
    dom = render(smaller.exports_dir / "dashboard" / "index.html", tmp_path / "chromium",
                 tmp_path / "smaller.png")
    assert drawn_paths(chart(dom, "ranking-0")) >= 34


def test_an_empty_withheld_list_says_so(home: Home) -> None:
    home.con.execute("create schema published")
    home.con.execute("create table published.withheld_units as select 'x' as unit_name, "
                     "date '2025-01-01' as period_start, 'y' as reason, 'r' as built_by_run "
                     "where false")
    done = publish(home.con, "run-empty", published=home.published,
                   publications=home.publications, manifest=home.manifest)
    page = (done.exports_dir / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "Không có đơn vị nào bị tạm dừng công bố." in page
    assert 'class="plotly-graph-div"' not in page  # no index, no chart
    assert dashboard.ranking_tables({"withheld_units": ["unit_name"]}) == []


def test_the_dossier_indicators_are_found_under_either_published_name() -> None:
    both = {"dossier_indicators": ["on_time_rate"], "dossier_indicators_monthly": ["x"]}
    assert dashboard.dossier_table(both) == "dossier_indicators"
    assert dashboard.dossier_table({"dossier_indicators_monthly": ["x"]}) == (
        "dossier_indicators_monthly")
    assert dashboard.dossier_table({"service_index_monthly": ["rank"]}) is None


def test_withheld_periods_and_decision_moments_read_as_people_write_them() -> None:
    row = {"period_start": dt.date(2025, 7, 1), "period_type": "quarter",
           "decided_at": dt.datetime(2026, 12, 6, 17, 34), "code_system": "gso34",
           "quality_flags": None}
    assert dashboard._cell(row, "period_start") == "quý 3/2025"
    assert dashboard._cell({**row, "period_type": "year"}, "period_start") == "năm 2025"
    assert dashboard._cell({"period_start": dt.date(2025, 2, 1)}, "period_start") \
        == "tháng 02/2025"  # a table without a period type: its months
    assert dashboard._cell(row, "decided_at") == "06/12/2026 17:34"
    assert dashboard._cell(row, "quality_flags") == ""
    # codes by their names, an unknown code as it is
    assert dashboard._cell(row, "code_system") == "Mã 34 tỉnh (từ 01/07/2025, kỳ cũ quy đổi)"
    assert dashboard._cell(row, "period_type") == "quý"
    assert dashboard._cell({"index_code": "sipas"}, "index_code") == (
        "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)")
    assert dashboard._cell({"unit_type": "agency"}, "unit_type") == "cơ quan"
    assert dashboard._cell({"unit_type": "ward"}, "unit_type") == "ward"
