"""The consistency checks against the bad-row threshold, on hand-made warehouse tables: a unit
whose dossiers of this run were mostly set aside fails the run with which and why; a handful
does not; dossiers of earlier runs do not count again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.plausibility import Rules, rules
from orchestration.defs.dossiers.checks import LIFECYCLE, dossiers_over_threshold

RUN = dt.datetime(2025, 9, 2, 6, 0)
BEFORE = dt.datetime(2025, 8, 1, 6, 0)
ORDER = "inconsistent: processing ended (or the result was returned) before the dossier was " \
        "received"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_dossier__lifecycle (dossier_id varchar, "
                "agency_code varchar, province_key varchar, last_loaded_at timestamp)")
    con.execute("create table intermediate.int_dossier__consistency_flags (dossier_id varchar, "
                "check_code varchar, reason varchar, agency_code varchar, province_key varchar, "
                "last_loaded_at timestamp)")
    # agency A (Hà Nội): 2 kept, 4 set aside in this run (one of them twice); agency B (Hà
    # Nội too): 6 kept, 1 set aside; agency C: 1 set aside in an earlier run, 5 kept now
    kept = [("A", 2, RUN), ("B", 6, RUN), ("C", 5, RUN)]
    for agency, n, at in kept:
        province = "gso34:01" if agency in "AB" else "gso34:04"
        con.executemany("insert into intermediate.int_dossier__lifecycle values (?, ?, ?, ?)",
                        [(f"{agency}-K{i}", agency, province, at) for i in range(n)])
    flagged = [("A-F0", "A", "gso34:01", RUN), ("A-F1", "A", "gso34:01", RUN),
               ("A-F2", "A", "gso34:01", RUN), ("A-F3", "A", "gso34:01", RUN),
               ("B-F0", "B", "gso34:01", RUN), ("C-F0", "C", "gso34:04", BEFORE)]
    for dossier, agency, province, at in flagged:
        con.execute("insert into intermediate.int_dossier__consistency_flags values "
                    "(?, 'ended_before_received', ?, ?, ?, ?)",
                    [dossier, ORDER, agency, province, at])
    con.execute("insert into intermediate.int_dossier__consistency_flags values "
                "('A-F0', 'event_before_submission', 'inconsistent: an event (TIEP_NHAN) "
                "before the dossier was submitted', 'A', 'gso34:01', ?)", [RUN])
    return con


def small(min_rows: int) -> Rules:
    config = rules()
    return Rules(config.tolerance, config.max_share, min_rows, config.families)


def test_a_unit_mostly_set_aside_fails_the_run_with_which_and_why(con) -> None:
    over = dossiers_over_threshold(con, RUN, small(5))
    assert [u.why for u in over] == [
        f"agency A: 4 of 6 dossiers set aside (67% > 20%): {ORDER} (4 rows); inconsistent: an "
        "event (TIEP_NHAN) before the dossier was submitted (1 rows)",
        f"province gso34:01: 5 of 13 dossiers set aside (38% > 20%): {ORDER} (5 rows); "
        "inconsistent: an event (TIEP_NHAN) before the dossier was submitted (1 rows)"]


def test_a_handful_or_an_earlier_run_fails_nothing(con) -> None:
    # B (1 of 7) and C (its flagged dossier came with an earlier run) pass; with the shipped
    # minimum of 20 dossiers, A's 6 are too few to judge
    assert {u.unit_key for u in dossiers_over_threshold(con, RUN, small(5))} == {"A", "gso34:01"}
    assert dossiers_over_threshold(con, RUN, rules()) == []
    assert dossiers_over_threshold(con, RUN + dt.timedelta(hours=1), small(5)) == []


def test_the_check_blocks_what_is_built_from_the_lifecycle() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    [check] = [k for k in graph.asset_check_keys if k.name == "units_within_bad_share"]
    assert check.asset_key == LIFECYCLE
    assert graph.get_check_spec(check).blocking
    monthly = dg.AssetKey(["marts", "fct_dossier_processing_by_period"])
    assert LIFECYCLE in graph.get(monthly).parent_keys
