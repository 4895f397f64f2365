"""An incremental build tests the rows it brought, against the whole history where the test
is about the whole (macros/incremental_tests.sql), on the hand-made raw layer.

The staging events are built whole, tested, and the orchestration's watermark saved; then rows
are loaded the way ingestion would never load them (a repeated event id, an unknown event
type), once as if after that build and once as if before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from tests.dbt.invoke import invoke_dbt, record_whole_build
from tests.dbt.raw_sample import LOADED_AT, build_raw_layer

MODEL = "stg_dossier_portal__events"
UNIQUE = ("unique", "event_id")
EVENT_TYPES = ("accepted_values", "event_type")
LATER = LOADED_AT + dt.timedelta(days=1)


def _dbt(warehouse: Path, tmp: Path, *args: str) -> set[tuple[str, str]]:
    """The tests that failed, as (test, column) (an empty set: the run succeeded)."""
    result = invoke_dbt([*args, "--select", MODEL, "--exclude", "resource_type:unit_test"],
                        warehouse=warehouse, tmp=tmp)
    assert result.result is not None, result.exception
    failed = {(r.node.test_metadata.name, r.node.column_name) for r in result.result
              if str(r.status) in ("fail", "error")}
    assert result.success == (not failed)
    return failed


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("incremental_tests")
    warehouse = tmp / "warehouse.duckdb"
    build_raw_layer(str(warehouse))
    assert _dbt(warehouse, tmp, "build", "--full-refresh") == set()
    record_whole_build(warehouse, tmp)
    return warehouse, tmp


Load = Callable[..., None]


@pytest.fixture
def load(built: tuple[Path, Path]) -> Iterator[Load]:
    """Loads events into raw as `(event_id, load time[, event type])`; removed after the test."""
    warehouse = built[0]

    def insert(*events: tuple[str, dt.datetime] | tuple[str, dt.datetime, str]) -> None:
        con = duckdb.connect(str(warehouse))
        try:
            for i, (event_id, loaded_at, *event_type) in enumerate(events, start=1):
                con.execute(
                    "insert into raw.dossier_events (event_id, dossier_id, event_type, "
                    "event_at, status_code, agency_code, _source_file, _file_sha256, "
                    "_loaded_at, _source_row) values (?, 'H15-0001', ?, "
                    "timestamp '2025-07-20 09:00:00', '9', 'T63.15.S001', 'bad.csv', 'sha-bad', "
                    "?, ?)", [event_id, event_type[0] if event_type else "DA_XU_LY",
                              loaded_at, i])
        finally:
            con.close()

    yield insert
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("delete from raw.dossier_events where _source_file = 'bad.csv'")
    finally:
        con.close()


def test_new_rows_pass_when_they_are_sound(built: tuple[Path, Path], load: Load) -> None:
    warehouse, tmp = built
    load(("H15-0001-09", LATER))
    assert _dbt(warehouse, tmp, "test") == set()


def test_a_new_row_repeating_an_old_key_fails_the_unique_test(
        built: tuple[Path, Path], load: Load) -> None:
    # the old row was loaded (and tested) before the last build; the new one after it
    warehouse, tmp = built
    load(("H15-0001-02", LATER))
    assert _dbt(warehouse, tmp, "test") == {UNIQUE}


def test_a_new_row_breaking_a_row_test_fails_it(built: tuple[Path, Path], load: Load) -> None:
    warehouse, tmp = built
    load(("H15-0001-09", LATER, "KHONG_RO"))
    assert _dbt(warehouse, tmp, "test") == {EVENT_TYPES}


def test_rows_the_last_build_passed_are_tested_again_only_in_a_full_refresh(
        built: tuple[Path, Path], load: Load) -> None:
    # rows written behind the watermark's back: an incremental build does not look at them,
    # a full refresh (what a code or reference change asks for) does
    warehouse, tmp = built
    load(("H15-0001-02", LOADED_AT), ("H15-0001-09", LOADED_AT, "KHONG_RO"))
    assert _dbt(warehouse, tmp, "test") == set()
    assert _dbt(warehouse, tmp, "build", "--full-refresh") == {UNIQUE, EVENT_TYPES}
