"""A publication says when its indicators are stale (no input brought new rows for more than
CHISO_STALE_AFTER_DAYS): in `_publication`, and on its dashboard, also when the dashboard is
opened after that deadline with no newer publication."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from publication.build import TZ, publish
from tests.publication.conftest import Home
from tests.publication.test_dashboard import render
from tests.publication.warehouse import build_published_schema

LOADED = dt.datetime(2025, 3, 2, 6, 0)  # the newest load that brought new rows


def published(home: Home, run_id: str, now: dt.datetime, *, resent: dt.datetime | None = None
              ) -> tuple[dict, str]:
    """Publish with the inputs loaded at LOADED (and a re-sent file with nothing new)."""
    build_published_schema(home.con, run_id)
    home.con.execute("update raw.load_manifest set loaded_at = ?", [LOADED])
    if resent is not None:
        home.con.execute("insert into raw.load_manifest values ('dossiers/again.csv', 'x', "
                         "'dossier_records', 'loaded', 0, ?)", [resent])
    result = publish(home.con, run_id, published=home.published, publications=home.publications,
                     manifest=home.manifest, now=now.replace(tzinfo=TZ), stale_after_days=3)
    with duckdb.connect(str(result.path), read_only=True) as con:
        cursor = con.execute("select data_loaded_through, stale_after_days, stale_since, "
                             "is_stale from _publication")
        row = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    page = (result.exports_dir / "dashboard" / "index.html").read_text(encoding="utf-8")
    return row, page


def test_a_publication_after_days_without_new_rows_is_stale(home: Home) -> None:
    # a file re-sent yesterday with nothing new does not make the data fresh
    row, page = published(home, "run-stale", LOADED + dt.timedelta(days=5),
                          resent=LOADED + dt.timedelta(days=4))
    assert row == {"data_loaded_through": LOADED, "stale_after_days": 3.0,
                   "stale_since": LOADED + dt.timedelta(days=3), "is_stale": True}
    assert '<p id="stale" class="stale">' in page  # shown
    assert "Không có dữ liệu mới nào được nạp kể từ 02/03/2025 06:00" in page


def test_a_fresh_publication_is_not_stale(home: Home) -> None:
    row, page = published(home, "run-fresh", LOADED + dt.timedelta(days=2, hours=23))
    assert row["is_stale"] is False and row["stale_since"] == LOADED + dt.timedelta(days=3)
    assert '<p id="stale" class="stale" hidden>' in page
    assert 'const staleSince = "2025-03-05T06:00:00+07:00";' in page


def test_a_dashboard_opened_after_its_deadline_says_stale(home: Home, tmp_path: Path) -> None:
    """Fresh when published in 2025, opened by the browser today: the page shows the warning."""
    _, fresh_page = published(home, "run-fresh", LOADED + dt.timedelta(days=1))
    page = tmp_path / "index.html"
    page.write_text(fresh_page, encoding="utf-8")
    dom = render(page, tmp_path / "chromium", tmp_path / "stale.png")
    assert '<p id="stale" class="stale">' in dom
