"""The generated sample against its ground truth: what must be quarantined is, and only that."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.contracts import CONTRACTS, contract_for
from ingestion.loader import FileLoadResult, load_inbox
from tests.ingestion.helpers import PII_KEY, assert_accounted, count
from tests.support.readback import read_rows

# the ground truth names two broad families; ingestion has one contract per file layout
SUB_FAMILIES = {
    "surveys": {"sipas_questionnaire", "sipas_responses", "officials_questionnaire",
                "officials_responses", "papi_responses", "papi_codebook"},
    "pci": {"pci_scores"},
    "par_index": {"par_methodology", "par_scores", "par_internal_methodology",
                  "par_internal_scores"},
}
REASONS = {
    "unparseable_date": "unparseable date: ",
    "unknown_code": "unknown code: ",
    "missing_id": "missing required value",
    "truncated_file": "truncated record: ",
}
PARSERS = {
    "%d/%m/%Y %H:%M:%S": lambda v: dt.datetime.strptime(v, "%d/%m/%Y %H:%M:%S"),
    "%Y%m%d%H%M%S": lambda v: dt.datetime.strptime(v, "%Y%m%d%H%M%S"),
    "%Y-%m-%dT%H:%M:%S+07:00": lambda v: dt.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S+07:00"),
    "excel_serial": lambda v: dt.datetime(1899, 12, 30) + dt.timedelta(seconds=round(v * 86400)),
}


@pytest.fixture(scope="session")
def loaded(small_inbox: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[FileLoadResult]]]:
    con = duckdb.connect(str(tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"))
    results = load_inbox(con, small_inbox, pii_key=PII_KEY)
    yield con, results
    con.close()


def _table_of(con: duckdb.DuckDBPyConnection, source_file: str) -> str:
    family = con.execute("select family from raw.load_manifest where source_file = ?",
                         [source_file]).fetchone()
    assert family is not None, source_file
    return contract_for(family[0]).table


def test_every_file_loads_with_its_rows_accounted(loaded, ground_truth: dict[str, Any]) -> None:
    con, results = loaded
    by_file = {r.source_file: r for r in results}
    assert set(by_file) == {f["path"] for f in ground_truth["files"]}
    for f in ground_truth["files"]:
        result = by_file[f["path"]]
        assert result.status == "loaded", (result.source_file, result.reason)
        assert result.family in SUB_FAMILIES.get(f["family"], {f["family"]})
        assert result.rows_in == f["rows"], f["path"]
        assert_accounted(con, result)


def test_contract_defects_are_quarantined_at_their_rows_and_nothing_else(
        loaded, ground_truth: dict[str, Any]) -> None:
    con, _ = loaded
    quarantined = con.execute("select source_file, source_row, field, reason "
                              "from raw.quarantine").fetchall()
    expected = {(d["file"], row) for d in ground_truth["defects"] if d["layer"] == "contract"
                for row in d["rows"]}
    assert expected  # the sample does plant contract defects
    assert {(f, r) for f, r, _, _ in quarantined} == expected
    reasons: dict[tuple[str, int], list[tuple[str | None, str]]] = {}
    for file, row, field, reason in quarantined:
        reasons.setdefault((file, row), []).append((field, reason))
    for d in ground_truth["defects"]:
        if d["layer"] != "contract":
            continue
        for i, row in enumerate(d["rows"]):
            found = reasons[(d["file"], row)]
            if d["kind"] == "duplicate_row":
                wanted = f"exact duplicate of row {d['details']['duplicate_of'][i]}"
                assert (None, wanted) in found
            else:
                column = d["details"].get("column")
                assert any(reason.startswith(REASONS[d["kind"]]) and field == column
                           for field, reason in found), (d["kind"], d["file"], row, found)


def test_consistency_and_anomaly_defects_are_loaded(loaded,
                                                    ground_truth: dict[str, Any]) -> None:
    con, _ = loaded
    broken = {(d["file"], r) for d in ground_truth["defects"] if d["layer"] == "contract"
              for r in d["rows"]}
    checked = 0
    for d in ground_truth["defects"]:
        if d["layer"] == "contract" or not d["file"] or not d["rows"]:
            continue
        table = _table_of(con, d["file"])
        for row in d["rows"]:
            if (d["file"], row) in broken:  # also breaks its contract (a missing id, ...)
                continue
            assert count(con, f"select count(*) from raw.{table} where _source_file = ? "
                         "and _source_row = ?", d["file"], row) == 1, (d["kind"], row)
            checked += 1
        if d["kind"] == "survey_answer_out_of_scale":
            family = con.execute("select family from raw.load_manifest where source_file = ?",
                                 [d["file"]]).fetchone()[0]
            answers = contract_for(family).answers_table  # sipas_answers, papi_answers
            for row, code, value in zip(d["rows"], d["details"]["question_codes"],
                                        d["details"]["values"], strict=True):
                assert count(con, f"select count(*) from raw.{answers} where _source_file = ? "
                             "and _source_row = ? and question_code = ? and answer = ?",
                             d["file"], row, code, value) == 1
        if d["kind"] == "par_score_above_max":
            points = con.execute("select appraised_points, max_points from raw.par_scores "
                                 "where _source_file = ? and _source_row = ?",
                                 [d["file"], d["rows"][0]]).fetchone()
            assert points == (d["details"]["appraised_points"], d["details"]["max_points"])
    assert checked > 0


@pytest.mark.parametrize("vendor_file", [
    "dossiers/vnpt_igate/ho_so_2025-03.csv",  # dd/mm/yyyy HH:MM:SS, UTF-8 BOM
    "dossiers/dvcqg_sync/ho_so_2025-03.jsonl",  # yyyyMMddHHmmss
    "dossiers/viettel_motcua/ho_so_2025-03.parquet",  # ISO 8601 +07:00, codes as numbers
])
def test_record_dialects_match_an_independent_reading(loaded, small_inbox: Path,
                                                      ground_truth: dict[str, Any],
                                                      vendor_file: str) -> None:
    con, _ = loaded
    fmt = next(f["timestamp_format"] for f in ground_truth["files"] if f["path"] == vendor_file)
    bad = {r for d in ground_truth["defects"] if d["file"] == vendor_file
           and d["layer"] == "contract" for r in d["rows"]}
    rows = read_rows(small_inbox / vendor_file)
    stored = dict(((r[0]), r[1:]) for r in con.execute(
        "select _source_row, submitted_at, received_at, updated_at, channel, status_code, "
        "province_code from raw.dossier_records where _source_file = ?", [vendor_file]).fetchall())
    assert len(stored) == len(rows) - len(bad)
    for number, row in enumerate(rows, start=1):
        if number in bad:
            continue
        times = tuple(None if row[c] is None else PARSERS[fmt](row[c])
                      for c in ("NgayNopHoSo", "NgayTiepNhan", "NgayCapNhat"))
        codes = (str(row["KenhThucHien"]), str(row["TrangThaiHoSo"]), row["MaTinh"])
        assert stored[number] == times + codes


@pytest.mark.parametrize(("family", "table", "time_column"), [
    ("surveys", "sipas_responses", "ThoiGianBatDau"),  # ISO 8601 +07:00 (or dd/mm/yyyy)
    ("surveys", "officials_responses", "ThoiGianBatDau"),  # Excel serial numbers
])
def test_survey_times_match_an_independent_reading(loaded, small_inbox: Path,
                                                   ground_truth: dict[str, Any], family: str,
                                                   table: str, time_column: str) -> None:
    con, _ = loaded
    files = [f for f in ground_truth["files"] if f["family"] == family
             and f.get("timestamp_format") and _table_of(con, f["path"]) == table]
    assert files
    for f in files:
        rows = read_rows(small_inbox / f["path"])
        stored = dict(con.execute(f"select _source_row, started_at from raw.{table} "
                                  "where _source_file = ?", [f["path"]]).fetchall())
        for number, row in enumerate(rows, start=1):
            expected = PARSERS[f["timestamp_format"]](row[time_column])
            assert stored[number] == expected, (f["path"], number)


def _table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [c.table for c in CONTRACTS] + [c.answers_table for c in CONTRACTS
                                             if c.answers_table]
    return {t: count(con, f"select count(*) from raw.{t}")
            for t in [*tables, "quarantine", "load_manifest"]}


def test_loading_the_same_inbox_again_changes_no_count(loaded, small_inbox: Path) -> None:
    con, first = loaded
    before = _table_counts(con)
    again = load_inbox(con, small_inbox, pii_key=PII_KEY)
    assert {r.status for r in again} == {"skipped"}
    assert len(again) == len(first)
    assert _table_counts(con) == before


def _clear_personal_values(inbox: Path, ground_truth: dict[str, Any]) -> set[str]:
    columns = {"ChuHoSo", "SoDinhDanh", "SoDienThoai"}
    values: set[str] = set()
    for f in ground_truth["files"]:
        if f["family"] in ("dossier_records", "surveys") and f["path"].endswith(
                (".csv", ".jsonl", ".parquet", ".xlsx")) and "questionnaire" not in f["path"]:
            for row in read_rows(inbox / f["path"]):
                values |= {str(row[c]) for c in columns & set(row) if row[c] is not None}
    return values


def test_no_clear_personal_data_anywhere_in_the_warehouse(
        loaded, small_inbox: Path, ground_truth: dict[str, Any]) -> None:
    con, _ = loaded
    clear = _clear_personal_values(small_inbox, ground_truth)
    assert len(clear) > 1000
    varchar_columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR'").fetchall()
    assert len(varchar_columns) > 50
    for schema, table, column in varchar_columns:
        values = {r[0] for r in con.execute(
            f'select distinct "{column}" from {schema}.{table} where "{column}" is not null'
        ).fetchall()}
        assert not values & clear, (table, column)
        if column.endswith("_hmac"):
            assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in values)
    # free text (a broken line kept for diagnosis) must not carry a name or number inside it
    names = {v for v in clear if not v.isdigit()}
    for (raw_value,) in con.execute("select raw_value from raw.quarantine "
                                    "where raw_value is not null").fetchall():
        words = raw_value.replace('"', " ").replace(",", " ").split()
        windows = {" ".join(words[i:i + k]) for k in (2, 3, 4) for i in range(len(words))}
        assert not windows & names
        assert not set(re.findall(r"\d{9,12}", raw_value)) & clear
