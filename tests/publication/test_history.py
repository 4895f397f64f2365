"""Every publication named and kept: the newest N on disk, the listing, and the one in force at a
given month or day."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import duckdb
import pytest
from typer.testing import CliRunner

from chiso.cli import app
from publication import history
from tests.publication.conftest import Home, at, make_home

# four runs: one in February, two in March, one in April (Vietnam wall clock)
RUNS = [("run-feb-0001", "2025-02-10T06:00:00"), ("run-mar-0005", "2025-03-05T06:00:00"),
        ("run-mar-0020", "2025-03-20T23:59:30"), ("run-apr-0002", "2025-04-02T06:00:00")]


@pytest.fixture(scope="module")
def four_publications(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    with make_home(tmp_path_factory.mktemp("history")) as home:
        for run_id, when in RUNS:
            home.publish(run_id, keep=2, now=at(when))
        yield home


def test_the_name_is_the_vietnam_time_and_the_run(home: Home) -> None:
    utc = dt.datetime(2025, 3, 3, 23, 0, 12, tzinfo=dt.UTC)  # 06:00:12 on 4 March in Vietnam
    assert history.publication_name(utc, "3f9c2a1b-77aa-4bcd-9e01-0123456789ab") == (
        "2025-03-04T06-00-12_3f9c2a1b")


def test_only_the_newest_n_stay_on_disk_and_all_are_listed(four_publications: Home) -> None:
    home = four_publications
    listed = history.list_publications(home.publications)
    assert [e.run_id for e in listed] == ["run-apr-0002", "run-mar-0020", "run-mar-0005",
                                          "run-feb-0001"]
    assert [e.on_disk for e in listed] == [True, True, False, False]
    assert sorted(p.name for p in home.publications.glob("*.duckdb")) == [
        "2025-03-20T23-59-30_runmar00.duckdb", "2025-04-02T06-00-00_runapr00.duckdb"]
    assert sorted(p.name for p in home.publications.iterdir() if p.is_dir()
                  and not p.is_symlink()) == ["2025-03-20T23-59-30_runmar00",
                                              "2025-04-02T06-00-00_runapr00"]
    assert (home.publications / "latest").resolve().name == "2025-04-02T06-00-00_runapr00"
    # each kept file is the publication of its run
    for entry in listed[:2]:
        with duckdb.connect(str(home.publications / entry.file), read_only=True) as con:
            assert con.execute("select run_id from _publication").fetchone()[0] == entry.run_id
    index = json.loads((home.publications / "index.json").read_text(encoding="utf-8"))
    assert index[0]["published_at"] == "2025-04-02T06:00:00+07:00"


@pytest.mark.parametrize(("when", "run_id"), [
    ("2025-01", None),  # nothing published yet
    ("2025-02", "run-feb-0001"),
    ("2025-03-04", "run-feb-0001"),  # the day before March's first publication
    ("2025-03-05", "run-mar-0005"),
    ("2025-03", "run-mar-0020"),  # at the end of March: the later of March's two
    ("2025-03-20T23:59:00", "run-mar-0005"),  # 30 seconds before the second
    ("2025-12", "run-apr-0002"),
    ("2024", None),
    ("2025", "run-apr-0002"),
])
def test_in_force_at(four_publications: Home, when: str, run_id: str | None) -> None:
    entry = history.in_force_at(four_publications.publications, when)
    assert (entry.run_id if entry else None) == run_id


def test_published_during_a_month(four_publications: Home) -> None:
    assert [e.run_id for e in history.published_during(four_publications.publications,
                                                       "2025-03")] == ["run-mar-0020",
                                                                       "run-mar-0005"]


def test_keep_must_be_positive(home: Home) -> None:
    with pytest.raises(ValueError, match="keep at least one publication, not 0"):
        history.record(home.publications, history.Entry("n", "r", "2025-01-01T00:00:00+07:00",
                                                        "v", "n.duckdb", "n"), keep=0)


def test_chiso_publications_lists_and_finds_march(four_publications: Home,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_PUBLICATIONS", str(four_publications.publications))
    monkeypatch.setenv("CHISO_PUBLICATIONS_KEPT", "2")
    runner = CliRunner()
    listing = runner.invoke(app, ["publications"])
    assert listing.exit_code == 0, listing.output
    assert listing.output.index("run-apr-0002") < listing.output.index("run-feb-0001")
    assert "removed" in listing.output

    march = runner.invoke(app, ["publications", "--at", "2025-03"])
    assert march.exit_code == 0, march.output
    assert "2025-03-20T23-59-30_runmar00" in march.output
    assert "2 publications were made during 2025-03" in march.output
    assert "duckdb -readonly" in march.output

    february = runner.invoke(app, ["publications", "--at", "2025-02"])
    assert february.exit_code == 1
    assert "no longer kept" in february.output

    january = runner.invoke(app, ["publications", "--at", "2025-01"])
    assert january.exit_code == 1 and "nothing had been published" in january.output

    nonsense = runner.invoke(app, ["publications", "--at", "March"])
    assert nonsense.exit_code == 2 and "give 2025, 2025-03" in nonsense.output
