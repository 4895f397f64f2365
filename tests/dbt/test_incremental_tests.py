"""An incremental build tests the rows it brought, against the whole history where the test
is about the whole (macros/incremental_tests.sql), on the hand-made raw layer.

The staging events are built whole, tested, and the orchestration's watermark saved; then rows
are loaded the way ingestion would never load them (a repeated event id, an unknown event
type), once as if after that build and once as if before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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


@pytest.fixture
def loaded(built: tuple[Path, Path]) -> Iterator[list[dict[str, object]]]:
    """Events to load into raw (each with its load time); removed after the test."""
    rows: list[dict[str, object]] = []
    yield rows
    con = duckdb.connect(str(built[0]))
    try:
        con.execute("delete from raw.dossier_events where _source_file = 'bad.csv'")
    finally:
        con.close()


def _load(warehouse: Path, rows: list[dict[str, object]]) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for i, row in enumerate(rows, start=1):
            con.execute(
                "insert into raw.dossier_events (event_id, dossier_id, event_type, event_at, "
                "status_code, agency_code, _source_file, _file_sha256, _loaded_at, _source_row) "
                "values (?, 'H15-0001', ?, timestamp '2025-07-20 09:00:00', '9', 'T63.15.S001', "
                "'bad.csv', 'sha-bad', ?, ?)",
                [row["event_id"], row["event_type"], row["loaded_at"], i])
    finally:
        con.close()


def _event(event_id: str, loaded_at: dt.datetime, event_type: str = "DA_XU_LY"
           ) -> dict[str, object]:
    return {"event_id": event_id, "event_type": event_type, "loaded_at": loaded_at}


def test_new_rows_pass_when_they_are_sound(built: tuple[Path, Path],
                                           loaded: list[dict[str, object]]) -> None:
    warehouse, tmp = built
    loaded.append(_event("H15-0001-09", LATER))
    _load(warehouse, loaded)
    assert _dbt(warehouse, tmp, "test") == set()


def test_a_new_row_repeating_an_old_key_fails_the_unique_test(
        built: tuple[Path, Path], loaded: list[dict[str, object]]) -> None:
    # the old row was loaded (and tested) before the last build; the new one after it
    warehouse, tmp = built
    loaded.append(_event("H15-0001-02", LATER))
    _load(warehouse, loaded)
    assert _dbt(warehouse, tmp, "test") == {UNIQUE}


def test_a_new_row_breaking_a_row_test_fails_it(built: tuple[Path, Path],
                                                loaded: list[dict[str, object]]) -> None:
    warehouse, tmp = built
    loaded.append(_event("H15-0001-09", LATER, event_type="KHONG_RO"))
    _load(warehouse, loaded)
    assert _dbt(warehouse, tmp, "test") == {EVENT_TYPES}


def test_rows_the_last_build_passed_are_tested_again_only_in_a_full_refresh(
        built: tuple[Path, Path], loaded: list[dict[str, object]]) -> None:
    # rows written behind the watermark's back: an incremental build does not look at them,
    # a full refresh (what a code or reference change asks for) does
    warehouse, tmp = built
    loaded += [_event("H15-0001-02", LOADED_AT), _event("H15-0001-09", LOADED_AT, "KHONG_RO")]
    _load(warehouse, loaded)
    assert _dbt(warehouse, tmp, "test") == set()
    assert _dbt(warehouse, tmp, "build", "--full-refresh") == {UNIQUE, EVENT_TYPES}
