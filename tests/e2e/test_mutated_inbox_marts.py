"""Property, end to end: however a one-stop system's exports are damaged, the run ends with marts
for every unit that had valid rows, and no dossier vanishes without a reason (issue 8).

A small valid inbox: the agency list, the catalogue, Hà Nội's system exporting records and
events for three dossiers of two agencies, and Hà Giang's system exporting its processing
history alone (events, no record) for two dossiers. Hypothesis mutates Hà Nội's two exports
(bytes, lines and cells deleted, duplicated and swapped, truncated, re-encoded, control
characters, or the file left out). Each inbox is loaded by the real loader and built by a real
`dbt build` of everything the processing statistics need, tests included. Then:

- the build succeeds: no error-severity test stops it, whatever rows passed their contracts;
- every dossier that reached `raw` has exactly one lifecycle, or is set aside by the
  consistency checks with its reason (int_dossier__consistency_flags);
- every agency with a received dossier, and its province, has its monthly statistics;
- the events-only system's dossiers have one lifecycle each, from their events.

Each example costs a dbt build (about 15 s of CPU), so the default suite builds the
events-only inbox (Hà Nội's exports both left out) and one drawn inbox, without shrinking;
`make test-slow` draws forty and shrinks a failure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from foundation.calendar import calendar_table
from foundation.settings import DBT_PROJECT_DIR
from ingestion.loader import load_inbox
from tests.ingestion.helpers import (
    AGENCY_COLUMNS,
    CATALOGUE_COLUMNS,
    EVENT_COLUMNS,
    PII_KEY,
    RECORD_COLUMNS,
    csv_bytes,
    event,
    procedure,
    record,
)
from tests.ingestion.mutations import STEPS, mutate

pytestmark = pytest.mark.e2e

AGENCIES = [("T63.01.S001", "tinh", "01"), ("T63.01.H001", "huyen", "01"),
            ("T63.02.S001", "tinh", "02")]
# Hà Nội's system: two dossiers of its department, one of a district (records and events)
DOSSIERS = [(1, "T63.01.S001", "01", "tinh"), (2, "T63.01.S001", "01", "tinh"),
            (3, "T63.01.H001", "01", "huyen")]
# Hà Giang's system exports its processing history alone
EVENTS_ONLY = {"H02-250301-00007": "T63.02.S001", "H02-250301-00008": "T63.02.S001"}


def _records() -> bytes:
    rows = []
    for n, agency, province, level in DOSSIERS:
        base = {"MaDonVi": agency, "MaTinh": province, "CapThucHien": level}
        rows.append(record(n, 1, **base))
        rows.append(record(n, 2, **base, TrangThaiHoSo="9", NgayKetThucXuLy="07/03/2025 10:00:00",
                           NgayCapNhat="07/03/2025 10:00:00"))
    return csv_bytes(RECORD_COLUMNS, rows)


def _events(dossiers: dict[str, str]) -> bytes:
    rows = []
    for dossier, agency in dossiers.items():
        rows.append(event(0, MaSuKien=f"{dossier}-01", MaHoSo=dossier, MaDonVi=agency))
        rows.append(event(0, MaSuKien=f"{dossier}-02", MaHoSo=dossier, MaDonVi=agency,
                          LoaiSuKien="DA_XU_LY", ThoiDiem="07/03/2025 10:00:00", TrangThai="9"))
    return csv_bytes(EVENT_COLUMNS, rows)


REFERENCE = {
    "don_vi.csv": csv_bytes(AGENCY_COLUMNS, [
        {"MaDonVi": a, "TenDonVi": "Đơn vị", "CapDonVi": level, "MaTinh": province,
         "HeThongMa": "gso63", "HieuLucTu": "01/08/2008"} for a, level, province in AGENCIES]),
    "tthc.csv": csv_bytes(CATALOGUE_COLUMNS, [procedure("1.001234")]),
    "ha_giang/su_kien.csv": _events(EVENTS_ONLY),
}
EXPORTS = {"ha_noi/ho_so.csv": _records(),
           "ha_noi/su_kien.csv": _events({f"H01-250301-{n:05d}": a for n, a, _, _ in DOSSIERS})}
# per dossier export: left out, or its mutation steps (none: sent as it is)
EXPORT_FATE = st.one_of(st.none(), st.lists(STEPS, max_size=2))


@pytest.fixture(scope="module")
def dbt_target() -> Iterator[Path]:
    # one target folder for the module, so that dbt parses the project once (partial parsing)
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _build(warehouse: Path, target: Path) -> list[tuple[str, str]]:
    """`dbt build` of the processing statistics and everything they need, tests included;
    returns what did not pass."""
    previous = os.environ.get("CHISO_WAREHOUSE")
    os.environ["CHISO_WAREHOUSE"] = str(warehouse)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    try:
        result = dbtRunner().invoke([
            "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
            str(DBT_PROJECT_DIR), "--target-path", str(target / "target"), "--log-path",
            str(target / "logs"), "--quiet", "--select", "+fct_dossier_indicators_by_period",
            "+int_dossier__consistency_flags", "--exclude-resource-type", "unit_test",
            "--indirect-selection", "cautious"])
    finally:
        if previous is None:
            os.environ.pop("CHISO_WAREHOUSE", None)
        else:
            os.environ["CHISO_WAREHOUSE"] = previous
    assert result.result is not None, result.exception
    return [(r.node.name, str(r.status)) for r in result.result
            if str(r.status) not in {"success", "pass", "warn"}]


def _inbox(folder: Path, fates: dict[str, list | None]) -> None:
    for name, data in REFERENCE.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    for name, data in EXPORTS.items():
        steps = fates[name]
        if steps is None:
            continue
        for step in steps:
            data = mutate(data, step)
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)


def _check_marts(con: duckdb.DuckDBPyConnection) -> None:
    raw_dossiers = {r[0] for r in con.execute(
        "select dossier_id from raw.dossier_records union "
        "select dossier_id from raw.dossier_events").fetchall()}
    lifecycles = [r[0] for r in con.execute(
        "select dossier_id from intermediate.int_dossier__lifecycle").fetchall()]
    set_aside = {r[0] for r in con.execute(
        "select dossier_id from intermediate.int_dossier__consistency_flags").fetchall()}
    # one lifecycle per dossier, or set aside with a reason: never lost in between
    assert len(lifecycles) == len(set(lifecycles))
    assert set(lifecycles) | set_aside == raw_dossiers
    assert not set(lifecycles) & set_aside
    missing = con.execute("""
        select distinct u.unit_type, u.unit_key
        from intermediate.int_dossier__lifecycle l
        cross join lateral (values ('agency', l.agency_code),
                                   ('province', l.agency_province_key)) as u(unit_type, unit_key)
        where l.is_received
          and not exists (
            select 1 from marts.fct_dossier_indicators_by_period f
            where f.period_type = 'month' and f.unit_type = u.unit_type
              and f.unit_key = u.unit_key)
    """).fetchall()
    assert missing == []
    # the system that exports events alone: one lifecycle per dossier, from its events
    events_only = con.execute("""
        select dossier_id, lifecycle_source, outcome, agency_province_key
        from intermediate.int_dossier__lifecycle where dossier_id in (select unnest(?))
        order by 1""", [sorted(EVENTS_ONLY)]).fetchall()
    assert events_only == [(d, "events", "processed", "gso63:02") for d in sorted(EVENTS_ONLY)]


def _run(fates: dict[str, list | None], target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        _inbox(inbox, fates)
        warehouse = Path(folder) / "warehouse.duckdb"
        con = duckdb.connect(str(warehouse))
        try:
            load_inbox(con, inbox, pii_key=PII_KEY)
            con.register("calendar", calendar_table(2024, 2026))
            con.execute("create or replace table raw.calendar_days as select * from calendar")
        finally:
            con.close()
        assert _build(warehouse, target) == []
        # same configuration as dbt's in-process connection (DuckDB refuses a second one)
        con = duckdb.connect(str(warehouse))
        try:
            _check_marts(con)
        finally:
            con.close()


# no shrinking in the default suite: each attempt is a dbt build (the slow variant shrinks)
@settings(max_examples=1, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fates=st.fixed_dictionaries({name: EXPORT_FATE for name in EXPORTS}))
# an events-only inbox: Hà Nội's system sent nothing, Hà Giang's its processing history alone
@example(fates=dict.fromkeys(EXPORTS))
def test_a_mutated_inbox_ends_with_marts_for_every_unit_with_valid_rows(
        fates: dict[str, list | None], dbt_target: Path) -> None:
    _run(fates, dbt_target)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fates=st.fixed_dictionaries({name: EXPORT_FATE for name in EXPORTS}))
def test_many_mutated_inboxes_end_with_marts_for_every_unit(
        fates: dict[str, list | None], dbt_target: Path) -> None:
    _run(fates, dbt_target)
