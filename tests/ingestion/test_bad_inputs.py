"""Every way an export goes wrong: a clear reason, and rows_in = loaded + quarantined."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

import ingestion.loader as loader
from ingestion.loader import load_file, load_inbox
from tests.ingestion.helpers import (
    EVENT_COLUMNS,
    PII_KEY,
    RECORD_COLUMNS,
    assert_accounted,
    count,
    event,
    quarantine,
    record,
    write_csv,
)

AGENCY_COLUMNS = ["MaDonVi", "TenDonVi", "CapDonVi", "MaTinh", "HeThongMa", "HieuLucTu",
                  "HieuLucDen"]
AGENCY = {"MaDonVi": "T63.01.S001", "TenDonVi": "Sở Tư pháp", "CapDonVi": "tinh",
          "MaTinh": "01", "HeThongMa": "gso63", "HieuLucTu": "2008-08-01",
          "HieuLucDen": "2025-06-30"}


def load(con: duckdb.DuckDBPyConnection, path: Path, inbox: Path) -> loader.FileLoadResult:
    result = load_file(con, path, inbox=inbox, pii_key=PII_KEY)
    assert_accounted(con, result)
    return result


def event_times(con: duckdb.DuckDBPyConnection) -> list[dt.datetime]:
    return [r[0] for r in con.execute(
        "select event_at from raw.dossier_events order by _source_row").fetchall()]


# --- files that cannot be read at all --------------------------------------------------------


@pytest.mark.parametrize(("encoding", "name", "found"), [
    # Windows-1258 spells "Sở Tư pháp" as base letters plus combining tone marks
    ("cp1258", "S\u01a1\u0309 T\u01b0 pha\u0301p", "windows-1258"),
    ("latin-1", "Société", "windows-1252"),  # Latin-1 letters are the same in 1252
])
def test_legacy_code_pages_are_detected_and_decoded(con, inbox: Path, encoding: str, name: str,
                                                     found: str) -> None:
    row = AGENCY | {"TenDonVi": name}
    path = write_csv(inbox / "reference/agencies.csv", AGENCY_COLUMNS, [row], encoding=encoding)
    result = load(con, path, inbox)
    assert (result.status, result.encoding, result.rows_loaded) == ("loaded", found, 1)
    assert con.execute("select encoding from raw.load_manifest").fetchone() == (found,)
    stored = con.execute("select agency_name from raw.agencies").fetchone()[0]
    assert stored == unicodedata.normalize("NFC", name)


def test_empty_file_is_rejected(con, inbox: Path) -> None:
    path = inbox / "events/su_kien.csv"
    path.parent.mkdir()
    path.write_bytes(b"")
    result = load(con, path, inbox)
    assert (result.status, result.reason) == ("rejected", "empty file (0 bytes)")


def test_unknown_layout_is_rejected(con, inbox: Path) -> None:
    path = write_csv(inbox / "misc/bao_cao.csv", ["STT", "NoiDung", "GhiChu"],
                     [{"STT": 1, "NoiDung": "x", "GhiChu": "y"}])
    result = load(con, path, inbox)
    assert result.status == "rejected" and result.family is None
    assert result.reason is not None and result.reason.startswith("unknown layout")


def test_missing_required_column_is_rejected(con, inbox: Path) -> None:
    columns = [c for c in EVENT_COLUMNS if c != "MaDonVi"]
    path = write_csv(inbox / "su_kien.csv", columns, [event(1)])
    result = load(con, path, inbox)
    assert result.status == "rejected" and result.family == "dossier_events"
    assert result.reason == "missing required columns for dossier_events: MaDonVi"


def test_corrupt_parquet_is_rejected(con, inbox: Path) -> None:
    path = inbox / "ho_so.parquet"
    pq.write_table(pa.table({"MaHoSo": ["H1"]}), path)
    path.write_bytes(path.read_bytes()[:-20])
    result = load(con, path, inbox)
    assert result.status == "rejected"
    assert result.reason is not None and result.reason.startswith("unreadable Parquet file")


def test_unknown_extension_is_read_by_its_content(con, inbox: Path) -> None:
    path = inbox / "ghi_chu.txt"
    path.write_text("xin chào", encoding="utf-8")
    result = load(con, path, inbox)
    assert result.status == "rejected"
    assert result.reason is not None and result.reason.startswith(
        "unknown layout: columns [xin chào] match no contract")
    assert result.reason.endswith("; read as CSV text by its content (named .txt)")


def test_a_rejected_file_does_not_stop_the_run(con, inbox: Path) -> None:
    (inbox / "a_empty.csv").write_bytes(b"")
    write_csv(inbox / "b_events.csv", EVENT_COLUMNS, [event(1), event(2)])
    (inbox / "_ground_truth.json").write_text("{}", encoding="utf-8")
    seen: list[loader.FileLoadResult] = []
    results = load_inbox(con, inbox, pii_key=PII_KEY, on_file=seen.append)
    assert [(r.source_file, r.status) for r in results] == [
        ("a_empty.csv", "rejected"), ("b_events.csv", "loaded")]
    assert seen == results
    for result in results:
        assert_accounted(con, result)
    assert count(con, "select count(*) from raw.dossier_events") == 2


# --- rows that break their contract ----------------------------------------------------------


def test_nfd_text_is_stored_as_nfc(con, inbox: Path) -> None:
    nfd = {k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v
           for k, v in (AGENCY | {"TenDonVi": "Ủy ban nhân dân xã Phước Hưng"}).items()}
    assert nfd["TenDonVi"] != unicodedata.normalize("NFC", nfd["TenDonVi"])
    path = write_csv(inbox / "agencies.csv", AGENCY_COLUMNS, [nfd], bom=True)
    result = load(con, path, inbox)
    assert result.status == "loaded" and result.rows_new == 1
    name = con.execute("select agency_name from raw.agencies").fetchone()[0]
    assert name == "Ủy ban nhân dân xã Phước Hưng"
    assert unicodedata.is_normalized("NFC", name)


def test_each_date_dialect_lands_on_the_same_wall_clock(con, inbox: Path) -> None:
    wall = dt.datetime(2025, 3, 3, 8, 15, 0)
    spellings = ["03/03/2025 08:15:00", "20250303081500", "2025-03-03T08:15:00+07:00",
                 "2025-03-03T01:15:00Z", "2025-03-03T01:15:00+00:00", "2025-03-03T08:15:00",
                 "45719.34375"]
    rows = [event(i, ThoiDiem=s) for i, s in enumerate(spellings)]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (len(spellings), 0)
    assert event_times(con) == [wall] * len(spellings)


def test_excel_serial_times_in_a_workbook(con, inbox: Path) -> None:
    path = inbox / "su_kien.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Báo cáo sự kiện hồ sơ"])  # a title above the header
    sheet.write_row(2, 0, EVENT_COLUMNS[:6])
    sheet.write_row(3, 0, ["E1", "H1", "TIEP_NHAN", 45719.34375, 2, "T63.01.S001"])
    sheet.write_row(4, 0, ["E2", "H1", "DA_XU_LY", 45720.5, 9.0, "T63.01.S001"])
    book.close()
    result = load(con, path, inbox)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    rows = con.execute("select event_at, status_code, _source_row from raw.dossier_events "
                       "order by event_id").fetchall()
    assert rows == [(dt.datetime(2025, 3, 3, 8, 15), "2", 1),
                    (dt.datetime(2025, 3, 4, 12, 0), "9", 2)]


def test_missing_required_value_is_quarantined(con, inbox: Path) -> None:
    rows = [event(1), event(2, MaHoSo=None), event(3)]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert quarantine(con, result) == [(2, "MaHoSo", "missing required value", None)]


def test_unknown_code_and_bad_date_are_quarantined_with_the_raw_value(con, inbox: Path) -> None:
    rows = [event(1, LoaiSuKien="KHONG_RO"), event(2, ThoiDiem="31/02/2025 08:15:00"),
            event(3, LoaiSuKien="KHONG_RO", ThoiDiem="không rõ"), event(4)]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    found = quarantine(con, result)
    assert [(r[0], r[1], r[3]) for r in found] == [
        (1, "LoaiSuKien", "KHONG_RO"), (2, "ThoiDiem", "31/02/2025 08:15:00"),
        (3, "LoaiSuKien", "KHONG_RO"), (3, "ThoiDiem", "không rõ")]
    assert found[0][2].startswith("unknown code: expected one of CHUYEN_XU_LY, ")
    assert found[1][2].startswith("unparseable date: expected dd/mm/yyyy HH:MM:SS")


def test_exact_duplicate_row_is_quarantined_once(con, inbox: Path) -> None:
    rows = [event(1), event(2), event(1), event(3), event(2), event(2)]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (6, 3, 3)
    assert [(r[0], r[2]) for r in quarantine(con, result)] == [
        (3, "exact duplicate of row 1"), (5, "exact duplicate of row 2"),
        (6, "exact duplicate of row 2")]
    assert count(con, "select count(distinct event_id) from raw.dossier_events") == 3


def test_same_key_with_other_values_is_quarantined(con, inbox: Path) -> None:
    rows = [event(1), event(1, GhiChu="sửa lại")]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert quarantine(con, result) == [
        (2, "MaSuKien", "duplicate key (event_id=H01-250301-00001-01) of row 1 with different "
         "values", None)]


def test_resent_version_is_loaded_but_not_inserted_twice(con, inbox: Path) -> None:
    first = write_csv(inbox / "ho_so_2025-03.csv", RECORD_COLUMNS,
                      [record(1, 1), record(1, 2), record(2, 1)])
    second = inbox / "ho_so_2025-04.jsonl"  # another vendor re-sends version 2 of dossier 1
    lines = [record(1, 2, KenhThucHien=2, NgayCapNhat="20250303081500",
                    NgayNopHoSo="20250301080000", NgayTiepNhan="20250303081500",
                    NgayHenTra="20250310081500"),
             record(1, 3, NgayCapNhat="20250310090000", NgayNopHoSo="20250301080000",
                    TrangThaiHoSo=10)]
    second.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                      encoding="utf-8")
    a = load(con, first, inbox)
    b = load(con, second, inbox)
    assert (a.rows_loaded, a.rows_new) == (3, 3)
    assert (b.rows_in, b.rows_loaded, b.rows_quarantined, b.rows_new) == (2, 2, 0, 1)
    assert count(con, "select count(*) from raw.dossier_records") == 4
    assert count(con, "select count(*) from (select dossier_id, version from "
                 "raw.dossier_records group by all having count(*) > 1)") == 0


def test_version_sent_again_with_another_update_time_is_kept_as_a_correction(
        con, inbox: Path) -> None:
    """A re-sent row repeats its key and its moment; the same version with another update
    time is a correction: kept beside the first (the models take the later one), counted new."""
    first = write_csv(inbox / "ho_so_2025-03.csv", RECORD_COLUMNS, [record(1, 1)])
    corrected = write_csv(inbox / "ho_so_2025-03b.csv", RECORD_COLUMNS, [
        record(1, 1, NgayCapNhat="04/03/2025 09:00:00", TrangThaiHoSo="4")])
    resent = write_csv(inbox / "ho_so_2025-03c.csv", RECORD_COLUMNS,
                       [record(1, 1, SoDienThoai="0912000009")])  # same key and moment
    a, b, c = (load(con, path, inbox) for path in (first, corrected, resent))
    assert (a.rows_new, b.rows_new, c.rows_loaded, c.rows_new) == (1, 1, 1, 0)
    assert con.execute("select status_code, updated_at from raw.dossier_records "
                       "order by updated_at").fetchall() == [
        ("2", dt.datetime(2025, 3, 3, 8, 15)), ("4", dt.datetime(2025, 3, 4, 9, 0))]


def test_an_unchanged_inbox_file_is_skipped_without_reading_it(
        con, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = write_csv(inbox / "events/su_kien_2025-03.csv", EVENT_COLUMNS, [event(1), event(2)])
    edited = write_csv(inbox / "events/su_kien_2025-04.csv", EVENT_COLUMNS, [event(3)])
    first = load_inbox(con, inbox, pii_key=PII_KEY)
    assert {r.status for r in first} == {"loaded"}
    edited.write_bytes(edited.read_bytes() + b"H01-250301-00004-01,H01-250301-00004,TIEP_NHAN,"
                       b"03/03/2025 08:15:00,2,T63.01.S001,CB0001,,\n")
    hashed: list[str] = []
    real_hash = loader.file_sha256
    monkeypatch.setattr(loader, "file_sha256", lambda path: hashed.append(path.name)
                        or real_hash(path))
    second = {r.source_file: r for r in load_inbox(con, inbox, pii_key=PII_KEY)}
    assert hashed == ["su_kien_2025-04.csv"]  # the untouched file was not read at all
    assert second["events/su_kien_2025-03.csv"].status == "skipped"
    assert "same size and time" in (second["events/su_kien_2025-03.csv"].reason or "")
    assert (second["events/su_kien_2025-04.csv"].status,
            second["events/su_kien_2025-04.csv"].rows_new) == ("loaded", 1)
    # a file touched without a change is hashed again, and skipped by its content
    kept.touch()
    hashed.clear()
    third = {r.source_file: r for r in load_inbox(con, inbox, pii_key=PII_KEY)}
    assert hashed == ["su_kien_2025-03.csv"]
    assert third["events/su_kien_2025-03.csv"].status == "skipped"
    assert count(con, "select count(*) from raw.dossier_events") == 4


def test_same_file_twice_is_skipped(con, inbox: Path) -> None:
    path = write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, [event(1), event(2)])
    first = load(con, path, inbox)
    copy = inbox / "copy/su_kien.csv"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    again, renamed = load(con, path, inbox), load(con, copy, inbox)
    assert first.status == "loaded"
    assert (again.status, renamed.status) == ("skipped", "skipped")
    assert renamed.reason is not None and "as su_kien.csv" in renamed.reason
    assert count(con, "select count(*) from raw.dossier_events") == 2
    assert count(con, "select count(*) from raw.load_manifest") == 1


def test_truncated_csv_quarantines_the_last_row_only(con, inbox: Path) -> None:
    path = write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, [event(i) for i in range(1, 6)])
    data = path.read_bytes()
    path.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 40])  # cut inside row 5
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    [(row, field, reason, raw)] = quarantine(con, result)
    assert (row, field) == (5, None)
    assert reason.startswith("truncated record: the file ends in the middle of this row")
    assert raw is not None and raw.startswith("H01-250301-00005-01")


def test_truncated_inside_a_quoted_last_field(con, inbox: Path) -> None:
    """The cut leaves the right number of fields but an open quote: still truncated."""
    rows = [event(i, GhiChu="Tiếp nhận, chuyển phòng chuyên môn") for i in range(1, 4)]
    path = write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows)
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind("chuyển".encode())])
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(row, _, reason, _raw)] = quarantine(con, result)
    assert row == 3 and reason.endswith("(unclosed quote)")


def test_truncated_jsonl_quarantines_the_last_line_and_redacts_it(con, inbox: Path) -> None:
    path = inbox / "ho_so.jsonl"
    text = "".join(json.dumps(record(i), ensure_ascii=False) + "\n" for i in range(1, 4))
    cut = text.rstrip("\n").rfind("\n") + 1 + text[text.rstrip("\n").rfind("\n") + 1:].find(
        "ChuHoSo") + 15  # inside the applicant's name
    path.write_text(text[:cut], encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(row, _, reason, raw)] = quarantine(con, result)
    assert row == 3 and reason == "truncated record: the file ends in the middle of this line"
    assert raw is not None and '"ChuHoSo": "<pii>"' in raw and "Nguyễn" not in raw


def test_malformed_json_line_in_the_middle(con, inbox: Path) -> None:
    path = inbox / "ho_so.jsonl"
    lines = [json.dumps(record(i), ensure_ascii=False) for i in range(1, 5)]
    lines[1] = lines[1].replace('"PhienBan": 1,', '"PhienBan": 1,,')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 3, 1)
    [(row, _, reason, _raw)] = quarantine(con, result)
    assert row == 2 and reason.startswith("malformed JSON line")
    rows = con.execute("select _source_row from raw.dossier_records order by 1").fetchall()
    assert rows == [(1,), (3,), (4,)]


def test_codes_sent_as_numbers_become_text(con, inbox: Path) -> None:
    """JSON may mix "2", 2 and 2.0 in one column; the province sent as the number 1 is the code
    "01" (codes have a width), the text "1" stays as the file wrote it."""
    path = inbox / "ho_so.jsonl"
    rows = [record(1, KenhThucHien="2", MaTinh="01"), record(2, KenhThucHien=2, MaTinh=1),
            record(3, KenhThucHien=2.0, TrangThaiHoSo=10.0, MaTinh="1"),
            record(4, KenhThucHien=9)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    assert con.execute("select channel, province_code, status_code from raw.dossier_records "
                       "order by _source_row").fetchall() == [
        ("2", "01", "2"), ("2", "01", "2"), ("2", "1", "10")]
    assert [(r[0], r[1], r[3]) for r in quarantine(con, result)] == [(4, "KenhThucHien", "9")]


def test_parquet_with_typed_codes_and_instants(con, inbox: Path) -> None:
    path = inbox / "su_kien.parquet"
    pq.write_table(pa.table({
        "MaSuKien": ["E1", "E2"], "MaHoSo": ["H1", "H1"], "LoaiSuKien": ["TIEP_NHAN", "DA_XU_LY"],
        "ThoiDiem": pa.array([dt.datetime(2025, 3, 3, 1, 15)] * 2, pa.timestamp("ms", "UTC")),
        "TrangThai": pa.array([2, 9], pa.int32()), "MaDonVi": ["T63.01.S001"] * 2,
    }), path)
    result = load(con, path, inbox)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert con.execute("select status_code, event_at from raw.dossier_events order by 1"
                       ).fetchall() == [("2", dt.datetime(2025, 3, 3, 8, 15)),
                                        ("9", dt.datetime(2025, 3, 3, 8, 15))]


def test_wide_survey_answers_go_long_and_out_of_scale_answers_load(con, inbox: Path) -> None:
    columns = ["MaKhaoSat", "NamKhaoSat", "MaTinh", "MaNguoiTraLoi", "HinhThuc", "TrongSo",
               "ThoiGianBatDau", "SoDienThoai", "C11", "C12", "C21"]
    base = {"MaKhaoSat": "SIPAS-2025", "NamKhaoSat": 2025, "MaTinh": "01",
            "HinhThuc": "truc_tiep", "TrongSo": 1.0, "ThoiGianBatDau": "2025-09-09T11:21:31+07:00",
            "SoDienThoai": "0912345678"}
    rows = [base | {"MaNguoiTraLoi": "R1", "C11": 4, "C12": 5, "C21": 9},  # 9 is out of scale
            base | {"MaNguoiTraLoi": "R2", "C11": 3, "C12": None, "C21": 2},
            base | {"MaNguoiTraLoi": "R3", "C11": "bốn", "C12": 1, "C21": 1}]
    result = load(con, write_csv(inbox / "sipas.csv", columns, rows), inbox)
    assert (result.family, result.rows_loaded, result.rows_quarantined) == (
        "sipas_responses", 2, 1)
    assert quarantine(con, result) == [(3, "C11", "not an integer", "bốn")]
    answers = con.execute("select respondent_id, question_code, answer, _source_row "
                          "from raw.sipas_answers order by 1, 2").fetchall()
    assert answers == [("R1", "C11", 4, 1), ("R1", "C12", 5, 1), ("R1", "C21", 9, 1),
                       ("R2", "C11", 3, 2), ("R2", "C12", None, 2), ("R2", "C21", 2, 2)]
    assert con.execute("select started_at from raw.sipas_responses limit 1").fetchone() == (
        dt.datetime(2025, 9, 9, 11, 21, 31),)


def test_a_failure_mid_file_leaves_nothing_half_loaded(con, inbox: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, [event(1), event(2, MaHoSo=None)])
    real_insert = loader._insert

    def crash(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
        if table == "quarantine":  # after the valid rows went in, inside the transaction
            raise OSError("disk full")
        real_insert(con, table, rows)

    monkeypatch.setattr(loader, "_insert", crash)
    result = load(con, path, inbox)
    assert result.status == "rejected"
    assert result.reason == "internal error while loading: OSError: disk full"
    assert count(con, "select count(*) from raw.dossier_events") == 0
    monkeypatch.setattr(loader, "_insert", real_insert)
    retried = load(con, path, inbox)  # a rejected file is tried again on the next run
    assert (retried.status, retried.rows_new, retried.rows_quarantined) == ("loaded", 1, 1)
    assert count(con, "select count(*) from raw.load_manifest") == 1


def test_json_keys_are_matched_on_their_clean_names(con, inbox: Path) -> None:
    """Arrow would read an unprotected ISO time as a timestamp shifted to UTC."""
    path = inbox / "su_kien.jsonl"
    row = {"MaSuKien": "E1", "MaHoSo": "H1", "LoaiSuKien": "TIEP_NHAN",
           " ThoiDiem ": "2025-03-03T08:15:00+07:00", "MaDonVi": "T63.01.S001"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = load(con, path, inbox)
    assert result.status == "loaded"
    assert event_times(con) == [dt.datetime(2025, 3, 3, 8, 15)]


def test_family_filter_loads_only_those_families(con, inbox: Path) -> None:
    write_csv(inbox / "agencies.csv", AGENCY_COLUMNS, [AGENCY])
    write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, [event(1)])
    write_csv(inbox / "la.csv", ["STT"], [{"STT": 1}])
    results = load_inbox(con, inbox, pii_key=PII_KEY, families={"agencies"})
    assert [(r.source_file, r.status) for r in results] == [
        ("agencies.csv", "loaded"), ("la.csv", "rejected"), ("su_kien.csv", "skipped")]
    assert results[2].reason == "family dossier_events is not part of this run"
    assert count(con, "select count(*) from raw.dossier_events") == 0
    again = load_inbox(con, inbox, pii_key=PII_KEY, families={"dossier_events"})
    assert [(r.source_file, r.status) for r in again] == [
        ("agencies.csv", "skipped"), ("la.csv", "rejected"), ("su_kien.csv", "loaded")]
