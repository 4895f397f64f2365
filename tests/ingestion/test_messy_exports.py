"""Real exports as people send them (issue 8): every sheet, title rows and Vietnamese labels,
encodings, archives, files named for another format, control characters, numeric codes, rows
that cannot be true. Each test: the input, the reason, and rows in = loaded + quarantined."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
import xlsxwriter

from ingestion.contracts import CONTRACTS
from ingestion.inventory import inbox_inventory
from ingestion.layout import VALUE_LABELS_FILE, labels, value_codes
from ingestion.loader import FileLoadResult, load_file, load_inbox, load_path
from ingestion.plausibility import Rules, rules
from ingestion.thresholds import files_over_threshold, units_over_threshold
from tests.ingestion.helpers import (
    AGENCY_COLUMNS,
    CATALOGUE_COLUMNS,
    EVENT_COLUMNS,
    PII_KEY,
    RECORD_COLUMNS,
    assert_accounted,
    count,
    csv_bytes,
    event,
    procedure,
    quarantine,
    record,
    write_csv,
)

EXPORTED = dt.datetime(2025, 9, 1, 12, 0)  # every file here "was written" then (its mtime)


def exported(path: Path) -> Path:
    stamp = EXPORTED.replace(tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def load(con: duckdb.DuckDBPyConnection, path: Path, inbox: Path) -> FileLoadResult:
    result = load_file(con, exported(path), inbox=inbox, pii_key=PII_KEY)
    assert_accounted(con, result)
    return result


def load_all(con: duckdb.DuckDBPyConnection, path: Path, inbox: Path) -> list[FileLoadResult]:
    results = load_path(con, exported(path), inbox=inbox, pii_key=PII_KEY)
    for result in results:
        assert_accounted(con, result)
    return results


def event_rows(n: int, start: int = 1) -> list[list[object]]:
    return [[event(i)[c] for c in EVENT_COLUMNS] for i in range(start, start + n)]


# --- 1. every sheet of a workbook ------------------------------------------------------------


def test_every_matching_sheet_is_its_own_input_and_the_others_are_named(con, inbox) -> None:
    path = inbox / "su_kien_quy_1.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (("Tháng 1", event_rows(2)), ("Tháng 2", event_rows(3, start=10))):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, EVENT_COLUMNS)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, ["" if v is None else v for v in row])
    book.add_worksheet("Ghi chú").write_row(0, 0, ["Số liệu do Văn phòng UBND tỉnh cung cấp"])
    book.add_worksheet("Trống")
    book.close()
    results = load_all(con, path, inbox)
    other = "sheets matching no contract: Ghi chú (no known header), Trống (empty)"
    assert [(r.source_file, r.status, r.rows_in, r.rows_loaded, r.reason) for r in results] == [
        ("su_kien_quy_1.xlsx#Tháng 1", "loaded", 2, 2, other),
        ("su_kien_quy_1.xlsx#Tháng 2", "loaded", 3, 3, other)]
    assert con.execute("select _source_file, count(*) from raw.dossier_events group by 1 "
                       "order by 1").fetchall() == [("su_kien_quy_1.xlsx#Tháng 1", 2),
                                                    ("su_kien_quy_1.xlsx#Tháng 2", 3)]
    again = load_all(con, path, inbox)  # each sheet is known by its own hash: not loaded twice
    assert [r.status for r in again] == ["skipped", "skipped"]


def test_a_workbook_whose_sheets_match_nothing_names_them(con, inbox) -> None:
    path = inbox / "bao_cao.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Tổng hợp").write_row(0, 0, ["STT", "Nội dung"])
    book.add_worksheet("Trống")
    book.close()
    result = load(con, path, inbox)
    assert result.status == "rejected"
    assert result.reason is not None and result.reason.startswith("unknown layout: columns [STT")
    assert result.reason.endswith(
        "sheets matching no contract: Tổng hợp (no known header), Trống (empty)")


# --- 2. headers as people write them ---------------------------------------------------------


def test_csv_title_rows_and_vietnamese_labels(con, inbox) -> None:
    by_label = {"MaHoSo": " MÃ HỒ SƠ ", "PhienBan": "Phiên bản", "NgayHenTra": "Ngày hẹn trả",
                "TrangThaiHoSo": "trạng thái", "NgayNopHoSo": "ngay_nop_ho_so",
                "ChuHoSo": "Chủ hồ sơ", "MaTinh": "Mã tỉnh"}
    header = [by_label.get(c, c) for c in RECORD_COLUMNS]
    body = csv_bytes(RECORD_COLUMNS, [record(1), record(2)]).split(b"\n", 1)[1]
    path = inbox / "ho_so.csv"
    title = "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THÁNG 3/2025\nĐơn vị: Sở Tư pháp\n\n"
    path.write_bytes(title.encode() + ",".join(f'"{h}"' for h in header).encode() + b"\n" + body)
    result = load(con, path, inbox)
    assert (result.status, result.family, result.rows_in, result.rows_loaded) == (
        "loaded", "dossier_records", 2, 2)
    assert result.reason is None  # every label was recognised: no column ignored
    assert con.execute("select dossier_id, due_at, status_code, province_code, _source_row "
                       "from raw.dossier_records order by 1").fetchall() == [
        ("H01-250301-00001", dt.datetime(2025, 3, 10, 8, 15), "2", "01", 1),
        ("H01-250301-00002", dt.datetime(2025, 3, 10, 8, 15), "2", "01", 2)]


# lines end as Windows writes them, or in CR alone as Excel for Mac's "CSV (Macintosh)" does
@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_rows_below_title_rows_keep_their_numbers_when_one_is_broken(con, inbox,
                                                                     newline: bytes) -> None:
    lines = csv_bytes(EVENT_COLUMNS, [event(1), event(2), event(3)]).split(b"\n")
    lines[2] = lines[2] + b",extra"  # data row 2 has one field too many
    path = inbox / "su_kien.csv"
    title = "Sở Tư pháp\nDanh sách sự kiện\n".encode().replace(b"\n", newline)
    path.write_bytes(title + newline.join(lines))
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(row, _, reason, _raw)] = quarantine(con, result)
    assert (row, reason) == (2, "malformed CSV row: expected 9 fields, found 10")
    assert con.execute("select _source_row from raw.dossier_events order by 1").fetchall() == [
        (1,), (3,)]


# Arrow's report of the row it could not decode would read as a crash in the run's log
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_broken_row_with_bytes_that_are_not_utf8_does_not_reject_the_file(con, inbox) -> None:
    # far past the sniffed head, a row with a field too many and a byte no UTF-8 text has:
    # Arrow cannot hand such a row to the handler, and once stopped the whole file
    good = [event(i) for i in range(1, 8001)]
    lines = csv_bytes(EVENT_COLUMNS, good).split(b"\n")
    lines[5000] = lines[5000] + b",th\xeam"  # data row 5000: 10 fields, an 0xEA alone
    path = inbox / "su_kien.csv"
    path.write_bytes(b"\n".join(lines))
    assert path.stat().st_size > 1 << 20
    result = load(con, path, inbox)
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 8000, 7999, 1)
    [(row, _, reason, raw_text)] = quarantine(con, result)
    assert (row, reason) == (5000, "malformed CSV row: expected 9 fields, found 10")
    assert result.encoding == "utf-8"
    assert result.reason == "1 byte not valid utf-8 replaced by U+FFFD"
    assert raw_text.endswith("th\ufffdm")  # the byte replaced, the row kept for the steward
    notes = {n for (n,) in con.execute("select distinct note from raw.dossier_events").fetchall()}
    assert notes == {"Tiếp nhận hồ sơ tại Bộ phận Một cửa"}  # the good rows' text intact


def test_a_spreadsheet_saved_as_csv_brings_no_empty_rows_or_columns(con, inbox) -> None:
    # Excel writes formatted but empty cells: ",," after the header and every row, ",,,,"
    # lines, and here a line of spaces; one unnamed column holds a value and is kept as such
    lines = csv_bytes(EVENT_COLUMNS, [event(1), event(2), event(3)]).decode().splitlines()
    empty = "," * (len(EVENT_COLUMNS) + 1)
    text = "\n".join([lines[0] + ",,", lines[1] + ",,", empty, lines[2] + ",,x", "   ",
                      lines[3] + ",,", empty, empty]) + "\n"
    path = inbox / "su_kien.csv"
    path.write_text(text, encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.status, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 3, 3, 0)
    assert result.reason == "ignored columns not in the contract: column_11"
    # each record keeps its place in the file (the empty lines between them count)
    assert con.execute("select event_id, _source_row from raw.dossier_events order by 2"
                       ).fetchall() == [("H01-250301-00001-01", 1), ("H01-250301-00002-01", 3),
                                        ("H01-250301-00003-01", 5)]


def test_a_sheet_row_with_only_spaces_or_values_beyond_the_header_is_no_record(con, inbox
                                                                               ) -> None:
    path = inbox / "su_kien.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sự kiện")
    sheet.write_row(0, 0, EVENT_COLUMNS)
    for i, row in enumerate(event_rows(2), start=1):
        sheet.write_row(i, 0, ["" if v is None else v for v in row])
    sheet.write_row(3, 0, [" "] * len(EVENT_COLUMNS))  # spaces in every cell
    sheet.write_string(4, len(EVENT_COLUMNS) + 1, "ghi chú")  # right of the named columns
    book.close()
    [result] = load_all(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)


def test_codes_written_as_their_names_or_in_another_case(con, inbox) -> None:
    events = [event(1, LoaiSuKien="Tiếp nhận", TrangThai="Được tiếp nhận"),
              event(2, LoaiSuKien="tiep_nhan"),  # the code in lower case
              event(3, LoaiSuKien="Da xu ly xong", TrangThai="ĐÃ XỬ LÝ XONG"),  # no diacritics
              event(4, LoaiSuKien="Xử lý")]  # where it does not fire: no event is called so
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, events), inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    assert [(r[0], r[1]) for r in quarantine(con, result)] == [(4, "LoaiSuKien")]
    assert con.execute("select _source_row, event_type, status_code from raw.dossier_events "
                       "order by 1").fetchall() == [
        (1, "TIEP_NHAN", "2"), (2, "TIEP_NHAN", "2"), (3, "DA_XU_LY", "9")]
    records = [record(1, TrangThaiHoSo="Đã trả kết quả", KenhThucHien="Trực tuyến",
                      CapThucHien="Cấp tỉnh"),
               record(2, KenhThucHien="Dịch vụ bưu chính công ích", CapThucHien="Xã")]
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, records), inbox)
    assert result.rows_loaded == 2
    assert con.execute("select status_code, channel, level from raw.dossier_records "
                       "order by _source_row").fetchall() == [("10", "2", "tinh"),
                                                              ("2", "3", "xa")]


def test_the_value_labels_file_names_codes_of_closed_lists() -> None:
    fields = {f.source: f for c in CONTRACTS for f in c.fields if f.allowed is not None}
    with VALUE_LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["origin"] and r["confirmed"] in ("true", "false") for r in rows)
    for source in {r["source_column"] for r in rows}:
        assert source in fields, f"{source} has no closed list of codes"
        table = value_codes(source, fields[source].allowed)  # raises on a code read two ways
        assert set(table.values()) <= fields[source].allowed


def test_a_json_document_holding_the_records_is_read_one_object_a_row(con, inbox) -> None:
    rows = [record(1), record(2, MaTinh="1"), record(3, PhienBan="x")]
    (inbox / "a.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2),
                                  encoding="utf-8")
    # an API's answer: the records under one key beside the paging
    (inbox / "b.json").write_text(json.dumps({"total": 1, "page": 1, "data": [record(4)]},
                                             ensure_ascii=False), encoding="utf-8")
    a, b = (load(con, inbox / name, inbox) for name in ("a.json", "b.json"))
    assert (a.status, a.rows_in, a.rows_loaded, a.rows_quarantined) == ("loaded", 3, 2, 1)
    assert a.reason == "a JSON array read one object a row"
    assert b.reason == 'a JSON array under "data" read one object a row'
    assert [(r[0], r[1]) for r in quarantine(con, a)] == [(3, "PhienBan")]  # its place
    assert con.execute("select dossier_id, _source_row from raw.dossier_records order by 1"
                       ).fetchall() == [("H01-250301-00001", 1), ("H01-250301-00002", 2),
                                        ("H01-250301-00004", 1)]


def test_a_one_line_record_with_a_list_of_objects_is_no_wrapper(con, inbox) -> None:
    fees = [{"TenPhiLePhi": "Lệ phí", "MucPhi": 50000}]  # an array of objects inside a record
    path = inbox / "ho_so.jsonl"
    path.write_text(json.dumps(record(1, DanhSachLePhi=fees), ensure_ascii=False),
                    encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.status, result.rows_loaded, result.reason) == ("loaded", 1, None)


def test_records_without_versions_are_told_apart_by_their_update_time(con, inbox) -> None:
    columns = [c for c in RECORD_COLUMNS if c != "PhienBan"]  # SPEC 2.1: "version/time"
    rows = [record(1), record(1, NgayCapNhat="05/03/2025 10:00:00", TrangThaiHoSo="4"),
            record(2, NgayCapNhat=None)]
    result = load(con, write_csv(inbox / "ho_so.csv", columns, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert result.reason == ("no PhienBan column: each row's PhienBan is its NgayCapNhat as "
                             "yyyyMMddHHmmss")
    assert [(r[0], r[1], r[2]) for r in quarantine(con, result)] == [
        (3, "NgayCapNhat", "missing required value")]  # said once, for the time
    assert con.execute("select dossier_id, version, status_code from raw.dossier_records "
                       "order by version").fetchall() == [
        ("H01-250301-00001", 20250303081500, "2"), ("H01-250301-00001", 20250305100000, "4")]
    again = load(con, write_csv(inbox / "lai.csv", columns, rows[:2]), inbox)  # sent again
    assert (again.rows_loaded, again.rows_new) == (2, 0)


def test_records_without_versions_or_update_times_are_refused(con, inbox) -> None:
    columns = [c for c in RECORD_COLUMNS if c not in ("PhienBan", "NgayCapNhat")]
    result = load(con, write_csv(inbox / "ho_so.csv", columns, [record(1)]), inbox)
    assert (result.status, result.reason) == (
        "rejected", "missing required columns for dossier_records: NgayCapNhat, PhienBan")


def test_exports_joined_end_to_end_repeat_no_header_as_a_record(con, inbox) -> None:
    january = csv_bytes(EVENT_COLUMNS, [event(1), event(2)])
    february = b"\xef\xbb\xbf" + csv_bytes(EVENT_COLUMNS, [event(3)])  # its own BOM
    path = inbox / "su_kien_ca_nam.csv"
    path.write_bytes(january + february)
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 3, 0)
    assert result.reason == "1 repeated header row skipped (files joined end to end)"
    assert con.execute("select _source_row from raw.dossier_events order by 1").fetchall() == [
        (1,), (2,), (4,)]  # the records keep their place


def test_a_row_that_only_partly_repeats_the_header_is_a_record(con, inbox) -> None:
    rows = [event(1), event(2, GhiChu="GhiChu")]  # one value that happens to be its name
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.reason) == (2, 2, None)


def _papi_wave() -> pd.DataFrame:
    return pd.DataFrame({
        "wave": ["PAPI2024"] * 3, "year": [2024.0] * 3, "prov": [1.0, 1.0, 2.0],
        "dist": [1.0, 1.0, 24.0], "comm": [4.0, 4.0, 688.0], "vill": ["V1", "V1", "V2"],
        "respid": ["R1", "R2", "R3"], "weight": [1.25, 0.75, 1.0],
        "start_time": pd.to_datetime(["2024-08-01 08:00", "2024-08-01 09:30", None]),
        "d101": [1.0, 98.0, 2.0], "d102": [5.0, 3.0, None]})


def test_survey_microdata_as_spss_and_stata_files(con, inbox) -> None:
    # PAPI's waves are released as SPSS files: numbers for codes, 98 declared as missing
    frame = _papi_wave()
    pyreadstat.write_sav(frame, inbox / "papi_2024.sav", missing_ranges={"d101": [98, 99]})
    result = load(con, inbox / "papi_2024.sav", inbox)
    assert (result.status, result.rows_in, result.rows_loaded) == ("loaded", 3, 3)
    assert con.execute(
        "select respondent_id, province_code, district_code, commune_code, weight, started_at "
        "from raw.papi_responses order by 1").fetchall() == [
        ("R1", "01", "001", "00004", 1.25, dt.datetime(2024, 8, 1, 8, 0)),
        ("R2", "01", "001", "00004", 0.75, dt.datetime(2024, 8, 1, 9, 30)),
        ("R3", "02", "024", "00688", 1.0, None)]
    # the declared missing code stays the code the codebook names; a blank stays not asked
    assert con.execute("select respondent_id, question_code, answer from raw.papi_answers "
                       "order by 1, 2").fetchall() == [
        ("R1", "d101", 1), ("R1", "d102", 5), ("R2", "d101", 98), ("R2", "d102", 3),
        ("R3", "d101", 2), ("R3", "d102", None)]
    pyreadstat.write_dta(frame.assign(wave="PAPI2025", year=2025.0), inbox / "papi_2025.dta")
    stata = load(con, inbox / "papi_2025.dta", inbox)
    assert (stata.status, stata.rows_loaded) == ("loaded", 3)
    # inside an archive, read through a temporary file
    pyreadstat.write_sav(frame.assign(wave="PAPI2023", year=2023.0), inbox / "papi_2023.sav")
    with zipfile.ZipFile(inbox / "papi.zip", "w") as archive:
        archive.write(inbox / "papi_2023.sav", "papi_2023.sav")
    [member] = load_all(con, inbox / "papi.zip", inbox)
    assert (member.source_file, member.status, member.rows_loaded) == (
        "papi.zip!papi_2023.sav", "loaded", 3)


def test_a_broken_spss_file_is_refused_with_its_reason(con, inbox) -> None:
    path = inbox / "papi_2024.sav"
    pyreadstat.write_sav(_papi_wave(), path)
    path.write_bytes(path.read_bytes()[:200])  # cut short
    result = load(con, path, inbox)
    assert result.status == "rejected"
    assert (result.reason or "").startswith("unreadable SPSS file")


def test_the_labels_file_says_where_each_label_comes_from() -> None:
    found = {lb.label: lb for lb in labels()}
    assert found["Mã hồ sơ"].source_column == "MaHoSo"
    assert found["Ngày hẹn trả"].source_column == "NgayHenTra"
    assert all(lb.origin for lb in found.values())
    assert not found["Số CCCD"].confirmed  # a synonym nobody checked is marked so


# --- 3. encodings and containers -------------------------------------------------------------


def test_utf16_with_and_without_bom(con, inbox) -> None:
    text = csv_bytes(EVENT_COLUMNS, [event(1), event(2)]).decode()
    (inbox / "a.csv").write_bytes(text.encode("utf-16"))  # BOM + little endian
    (inbox / "b.csv").write_bytes(text.encode("utf-16-be"))
    ascii_only = csv_bytes(EVENT_COLUMNS, [event(3, GhiChu="ok")]).decode()
    (inbox / "c.csv").write_bytes(ascii_only.encode("utf-16-le"))  # no BOM, no accent either
    a, b = load(con, inbox / "a.csv", inbox), load(con, inbox / "b.csv", inbox)
    c = load(con, inbox / "c.csv", inbox)
    assert (a.status, a.encoding, a.rows_loaded) == ("loaded", "utf-16", 2)
    assert (b.status, b.encoding, b.rows_loaded, b.rows_new) == ("loaded", "utf-16-be", 2, 0)
    assert (c.status, c.encoding, c.rows_loaded, c.rows_new) == ("loaded", "utf-16-le", 1, 1)
    notes = con.execute("select note from raw.dossier_events order by event_id").fetchall()
    assert notes == [("Tiếp nhận hồ sơ tại Bộ phận Một cửa",)] * 2 + [("ok",)]


def test_gzip_and_zip_exports(con, inbox) -> None:
    events = csv_bytes(EVENT_COLUMNS, [event(1), event(2)])
    (inbox / "su_kien.csv.gz").write_bytes(gzip.compress(events))
    gz = load(con, inbox / "su_kien.csv.gz", inbox)
    assert (gz.source_file, gz.status, gz.rows_loaded, gz.reason) == (
        "su_kien.csv.gz", "loaded", 2, "gzip-compressed")
    with zipfile.ZipFile(inbox / "thang_3.zip", "w") as archive:
        archive.writestr("ho_so.csv", csv_bytes(RECORD_COLUMNS, [record(1)]))
        archive.writestr("su_kien.csv", csv_bytes(EVENT_COLUMNS, [event(3, MaHoSo=None)]))
        archive.writestr("doc_truoc.txt", "Đọc trước khi dùng")
    results = load_all(con, inbox / "thang_3.zip", inbox)
    assert [(r.source_file, r.status, r.rows_in, r.rows_loaded, r.rows_quarantined)
            for r in results] == [("thang_3.zip!doc_truoc.txt", "rejected", 0, 0, 0),
                                  ("thang_3.zip!ho_so.csv", "loaded", 1, 1, 0),
                                  ("thang_3.zip!su_kien.csv", "loaded", 1, 0, 1)]
    assert results[0].reason is not None and results[0].reason.startswith("unknown layout")
    (inbox / "rong.zip").write_bytes(_empty_zip())
    empty = load(con, inbox / "rong.zip", inbox)
    assert (empty.status, empty.reason) == ("rejected", "empty archive (no files inside)")


def _empty_zip() -> bytes:
    import io

    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def test_xlsx_named_csv_is_read_as_a_workbook_not_blamed_on_an_encoding(con, inbox) -> None:
    path = inbox / "su_kien.csv"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, EVENT_COLUMNS)
    sheet.write_row(1, 0, ["" if v is None else v for v in event_rows(1)[0]])
    book.close()
    result = load(con, path, inbox)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert result.reason == "read as a spreadsheet by its content (named .csv)"


def test_html_table_saved_as_xls(con, inbox) -> None:
    cells = "".join(f"<th>{c}</th>" for c in EVENT_COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{'' if v is None else v}</td>" for v in row)
                   + "</tr>" for row in event_rows(2))
    page = (f"<html><head><meta charset='utf-8'></head><body><h1>Danh sách sự kiện</h1>"
            f"<table border=1><tr>{cells}</tr>{rows}</table></body></html>")
    path = inbox / "su_kien.xls"
    path.write_text(page, encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.status, result.rows_in, result.rows_loaded) == ("loaded", 2, 2)
    assert result.reason == "read as an HTML table by its content (named .xls)"
    assert count(con, "select count(*) from raw.dossier_events where note = ?",
                 "Tiếp nhận hồ sơ tại Bộ phận Một cửa") == 2


def test_blank_file_gets_a_clear_reason(con, inbox) -> None:
    (inbox / "trong.csv").write_bytes(b"\xef\xbb\xbf \r\n\r\n")
    result = load(con, inbox / "trong.csv", inbox)
    assert (result.status, result.reason) == ("rejected", "empty file (no header, no rows)")


def test_an_old_manifest_gets_the_new_columns(con, inbox) -> None:
    con.execute("create schema raw")
    con.execute("create table raw.load_manifest (source_file varchar not null, file_sha256 "
                "varchar primary key, family varchar, status varchar not null, reason varchar, "
                "rows_in bigint, rows_loaded bigint, rows_quarantined bigint, rows_new bigint, "
                "loaded_at timestamp not null, seconds double)")
    con.execute("insert into raw.load_manifest values ('old.csv', 'x', null, 'rejected', "
                "'empty file (0 bytes)', 0, 0, 0, 0, timestamp '2025-01-01', 0.1)")
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, [event(1)]), inbox)
    assert (result.status, result.encoding) == ("loaded", "utf-8")
    assert con.execute("select source_file, encoding, rows_repaired from raw.load_manifest "
                       "order by 1").fetchall() == [("old.csv", None, None),
                                                    ("su_kien.csv", "utf-8", 0)]


# --- 4. clean values -------------------------------------------------------------------------


def test_nul_in_an_id_is_repaired_and_counted_or_quarantined_if_it_collides(con, inbox) -> None:
    rows = [event(1, MaSuKien="E\x001", MaHoSo="H\x001"),  # repaired: E1 is new
            event(2, MaSuKien="E2"), event(3, MaSuKien="E\x002"),  # E2 exists: collision
            event(4, GhiChu="dòng\x07 ghi chú")]  # a bell in text: removed, not counted
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined, result.rows_repaired
            ) == (4, 3, 1, 1)
    assert quarantine(con, result) == [(3, "MaSuKien", "id repair would collide: MaSuKien "
                                        "cleaned (control or invisible characters, Excel's "
                                        "text marks) gives the key of row 2", None)]
    assert con.execute("select rows_repaired from raw.load_manifest").fetchone() == (1,)
    assert con.execute("select event_id, dossier_id, note from raw.dossier_events "
                       "order by _source_row").fetchall() == [
        ("E1", "H1", "Tiếp nhận hồ sơ tại Bộ phận Một cửa"),
        ("E2", "H01-250301-00002", "Tiếp nhận hồ sơ tại Bộ phận Một cửa"),
        ("H01-250301-00004-01", "H01-250301-00004", "dòng ghi chú")]


def test_codes_as_spreadsheets_and_dataframes_write_them_are_read_as_the_codes(con, inbox
                                                                              ) -> None:
    rows = [
        # Excel's text marks: a formula ="01" and the prefix '
        record(1, MaTinh='="01"', MaDonVi='="T63.01.S001"', MaLinhVuc="'G05"),
        # a dataframe's floats (an integer column with a gap) and a CSV resaved by Excel
        record(2, MaTinh="1.0", KenhThucHien="2.0", TrangThaiHoSo="9.0"),
        record(3, MaTinh="1"),
        # a zero-width space pasted in with a code
        record(4, MaTTHC="1.001234\u200b"),
        # where nothing fires: a procedure code is no number, free text keeps its marks
        record(5, MaTTHC="1.000", DanhSachLePhi='="x"'),
    ]
    path = write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows)
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (5, 5, 0)
    assert result.rows_repaired == 3  # rows 1, 2 and 4
    # the text "1" stays as the file wrote it, and so does "1.0" once it is a whole number:
    # staging pads both (test_codes_sent_as_numbers_become_text)
    assert con.execute(
        "select _source_row, province_code, agency_code, field_code, channel, status_code, "
        "procedure_code, fee_list_json from raw.dossier_records order by 1").fetchall() == [
        (1, "01", "T63.01.S001", "G05", "2", "2", "1.001234", "[]"),
        (2, "1", "T63.01.S001", "G05", "2", "9", "1.001234", "[]"),
        (3, "1", "T63.01.S001", "G05", "2", "2", "1.001234", "[]"),
        (4, "01", "T63.01.S001", "G05", "2", "2", "1.001234", "[]"),
        (5, "01", "T63.01.S001", "G05", "2", "2", "1.000", '="x"')]


def test_null_as_exports_spell_it_is_missing_except_in_free_text(con, inbox) -> None:
    rows = [
        # SQL Server's "Save results as": an open dossier, its end and result times NULL
        record(1, NgayKetThucXuLy="NULL", NgayTraKetQua="NULL", MaLinhVuc="NULL",
               ChuHoSo="NULL", SoDienThoai="NULL", DanhSachLePhi="NULL"),
        record(2, NgayKetThucXuLy="nan", DuocSoHoa="None", MaLinhVuc="#N/A", ChuHoSo="None"),
        record(3, NgayCapNhat="NULL"),  # required: missing, and said so
        record(4, NgayKetThucXuLy="NULLL"),  # where it does not fire: a typo is a bad time
    ]
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert [(r[0], r[1], r[2][:17]) for r in quarantine(con, result)] == [
        (3, "NgayCapNhat", "missing required "), (4, "NgayKetThucXuLy", "unparseable date:")]
    assert con.execute(
        "select processing_ended_at, result_returned_at, field_code, digitised, "
        "applicant_name_hmac is null, applicant_phone_hmac is null, fee_list_json "
        "from raw.dossier_records order by _source_row").fetchall() == [
        (None, None, None, 1, True, True, "NULL"),  # free text keeps what it says
        (None, None, None, None, True, False, "[]")]


def test_numbers_as_a_vietnamese_spreadsheet_shows_them(con, inbox) -> None:
    columns = ["Nam", "Thang", "MaTinh", "TenTinh", "TongSoHoSoDaGiaiQuyet", "SoHoSoDungHan",
               "TyLeDungHan"]
    rows = [["2025", "3", "01", "Hà Nội", "12.345", "12.000", "97,21%"],
            ["2025", "3", "02", "Hà Giang", "1.234", "1.200", "97,24 %"],
            ["2025", "3", "04", "Cao Bằng", "980", "950", "96,9"]]
    path = inbox / "ty_le_dung_han.csv"
    path.write_text(";".join(columns) + "\n" + "".join(";".join(r) + "\n" for r in rows),
                    encoding="utf-8")
    result = load(con, path, inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (3, 0)
    assert con.execute("select processed_reported, on_time_reported, on_time_rate_reported "
                       "from raw.self_reported_rates order by _source_row").fetchall() == [
        (12_345, 12_000, 97.21), (1_234, 1_200, 97.24), (980, 950, 96.9)]


def test_a_percent_sign_is_read_only_where_the_number_is_a_percentage(con, inbox) -> None:
    columns = ["survey_year", "question_code", "element_code", "scale_min", "scale_max",
               "weight"]
    path = write_csv(inbox / "sipas_2025.csv", columns, [
        {"survey_year": 2025, "question_code": "q1", "element_code": "1", "scale_min": 1,
         "scale_max": 5, "weight": "50%"}])  # a share or a percentage? not guessed
    result = load(con, path, inbox)
    assert [(r[1], r[2]) for r in quarantine(con, result)] == [("weight", "not a number")]


def test_a_numeric_code_followed_by_its_name_is_the_code(con, inbox) -> None:
    # a report template's drop-down writes the code and its name
    rows = [record(1, MaTinh="01 - Thành phố Hà Nội", KenhThucHien="2: Trực tuyến",
                   TrangThaiHoSo="9-Đã xử lý xong"),
            record(2, MaTTHC="1.001234 - Cấp giấy phép")]  # no numeric code: as written
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows), inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert con.execute("select province_code, channel, status_code, procedure_code "
                       "from raw.dossier_records order by _source_row").fetchall() == [
        ("01", "2", "9", "1.001234"), ("01", "2", "2", "1.001234 - Cấp giấy phép")]


def test_a_code_cleaned_into_another_rows_key_is_quarantined(con, inbox) -> None:
    rows = [event(1, MaSuKien="E1"), event(2, MaSuKien='="E1"')]
    result = load(con, write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows), inbox)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(row, field, reason, _raw)] = quarantine(con, result)
    assert (row, field) == (2, "MaSuKien")
    assert reason.endswith("gives the key of row 1")


def test_a_nul_inside_a_dossier_id_does_not_make_two_dossiers(con, inbox) -> None:
    rows = [record(1, 1), record(1, 2, MaHoSo="H01-250301-\x0000001")]
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows), inbox)
    assert (result.rows_loaded, result.rows_repaired) == (2, 1)
    assert con.execute("select distinct dossier_id from raw.dossier_records").fetchall() == [
        ("H01-250301-00001",)]


def test_codes_from_numeric_cells_are_padded_to_their_width(con, inbox) -> None:
    columns = ["Nam", "Thang", "MaTinh", "TongSoHoSoDaGiaiQuyet", "TyLeDungHan"]
    pq.write_table(pa.table({"Nam": [2025, 2025], "Thang": [3, 3],
                             "MaTinh": pa.array([1, 4], pa.int32()),
                             "TongSoHoSoDaGiaiQuyet": [10, 20], "TyLeDungHan": [0.9, 0.8]}),
                   inbox / "ty_le.parquet")
    parquet = load(con, inbox / "ty_le.parquet", inbox)
    path = inbox / "ty_le.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, columns)
    sheet.write_row(1, 0, [2025, 4, 1, 10, 0.9])  # a number cell
    sheet.write_row(2, 0, [2025, 4, "04", 20, 0.8])  # beside a text cell: a mixed column
    book.close()
    xlsx = load(con, path, inbox)
    assert (parquet.rows_loaded, xlsx.rows_loaded) == (2, 2)
    assert con.execute("select month, province_code from raw.self_reported_rates "
                       "order by 1, 2").fetchall() == [(3, "01"), (3, "04"), (4, "01"),
                                                       (4, "04")]


def test_quoted_multiline_last_row_without_final_newline_loads(con, inbox) -> None:
    rows = [event(1), event(2, GhiChu="Bổ sung:\n- bản sao CCCD")]
    path = write_csv(inbox / "su_kien.csv", EVENT_COLUMNS, rows)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # ends right after the closing quote
    result = load(con, path, inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert con.execute("select note from raw.dossier_events where _source_row = 2"
                       ).fetchone() == ("Bổ sung:\n- bản sao CCCD",)


# --- 5. rows that cannot be true -------------------------------------------------------------


def test_implausible_rows_are_quarantined_with_their_reason(con, inbox) -> None:
    rows = [
        record(1),
        record(2, NgayCapNhat="01/01/2099 08:00:00"),  # after the export (2025-09-01) + 48 h
        record(3, NgayNopHoSo="05/03/2025 08:00:00"),  # submitted after its last update (03/03)
        record(4, MaTinh="99"),  # no such province in either code system
        record(5, MaTinh="02", NgayNopHoSo="01/08/2025 08:00:00",
               NgayTiepNhan="01/08/2025 09:00:00", NgayCapNhat="02/08/2025 08:00:00"),
        # Hà Giang (02): not a province after the merger; 15 exists in both systems: valid
        record(6, MaTinh="15", NgayNopHoSo="01/08/2025 08:00:00",
               NgayTiepNhan="01/08/2025 09:00:00", NgayCapNhat="02/08/2025 08:00:00"),
        record(7, NgayCapNhat="02/09/2025 20:00:00"),  # within the 48 h tolerance
    ]
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (7, 3, 4)
    assert quarantine(con, result) == [
        (2, "NgayCapNhat", "implausible: after the file was exported (2025-09-01 12:00 + 48 h)",
         "2099-01-01 08:00:00"),
        (3, "NgayNopHoSo, NgayCapNhat", "implausible: NgayNopHoSo is after NgayCapNhat",
         "2025-03-05 08:00:00 > 2025-03-03 08:15:00"),
        # one row breaking two rules: two entries, one quarantined row
        (3, "NgayNopHoSo, NgayTiepNhan", "implausible: NgayNopHoSo is after NgayTiepNhan",
         "2025-03-05 08:00:00 > 2025-03-03 08:15:00"),
        (4, "MaTinh", "implausible: unknown province code", "99"),
        (5, "MaTinh", "implausible: province code not valid under gso34 (the 34 provinces, "
         "from 2025-07-01)", "02")]


def test_a_version_whose_own_moments_are_out_of_order_is_quarantined(con, inbox) -> None:
    """Within one record version: received before submitted, processing ended before
    received, the result returned before processing ended (across rows: the warehouse's
    int_dossier__consistency_flags)."""
    rows = [
        record(1),
        record(2, NgayTiepNhan="28/02/2025 08:00:00"),  # submitted 01/03 08:00
        record(3, NgayKetThucXuLy="02/03/2025 08:00:00", TrangThaiHoSo="9"),  # received 03/03
        record(4, NgayKetThucXuLy="04/03/2025 08:00:00", NgayTraKetQua="03/03/2025 17:00:00",
               NgayCapNhat="04/03/2025 08:00:00", TrangThaiHoSo="10"),
    ]
    result = load(con, write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, rows), inbox)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    assert quarantine(con, result) == [
        (2, "NgayNopHoSo, NgayTiepNhan", "implausible: NgayNopHoSo is after NgayTiepNhan",
         "2025-03-01 08:00:00 > 2025-02-28 08:00:00"),
        (3, "NgayTiepNhan, NgayKetThucXuLy", "implausible: NgayTiepNhan is after NgayKetThucXuLy",
         "2025-03-03 08:15:00 > 2025-03-02 08:00:00"),
        (4, "NgayKetThucXuLy, NgayTraKetQua",
         "implausible: NgayKetThucXuLy is after NgayTraKetQua",
         "2025-03-04 08:00:00 > 2025-03-03 17:00:00")]


def test_values_the_warehouse_relies_on_are_quarantined_not_fatal(con, inbox) -> None:
    """A catalogue row with no processing time or levels nobody uses, a self-reported rate for
    month 13 or above 100 %: each one row quarantined with its reason, where before it passed
    its contract and an error-severity dbt test on staging stopped the whole run."""
    rows = [procedure("1.000001"), procedure("1.000002", ThoiHanGiaiQuyet=0),
            procedure("1.000003", CapThucHien="TINH; xa"),  # case and spaces aside: valid
            procedure("1.000004", CapThucHien="tinh;phuong"), procedure("1.000005",
                                                                      CapThucHien=";")]
    result = load(con, write_csv(inbox / "tthc.csv", CATALOGUE_COLUMNS, rows), inbox)
    assert (result.family, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "procedure_catalogue", 5, 2, 3)
    levels = "implausible: CapThucHien must list codes among tinh, huyen, xa separated by ';'"
    assert quarantine(con, result) == [
        (2, "ThoiHanGiaiQuyet", "implausible: ThoiHanGiaiQuyet must be at least 1", "0"),
        (4, "CapThucHien", levels, "tinh;phuong"), (5, "CapThucHien", levels, ";")]
    columns = ["Nam", "Thang", "MaTinh", "TongSoHoSoDaGiaiQuyet", "TyLeDungHan"]
    rates = [{"Nam": 2025, "Thang": 3, "MaTinh": "01", "TongSoHoSoDaGiaiQuyet": 10,
              "TyLeDungHan": 99.5},
             {"Nam": 2025, "Thang": 13, "MaTinh": "01", "TongSoHoSoDaGiaiQuyet": 10,
              "TyLeDungHan": 99.5},
             {"Nam": 2025, "Thang": 4, "MaTinh": "04", "TongSoHoSoDaGiaiQuyet": 10,
              "TyLeDungHan": 120}]
    result = load(con, write_csv(inbox / "ty_le.csv", columns, rates), inbox)
    assert (result.family, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "self_reported_rates", 3, 1, 2)
    assert [(row, field, reason) for row, field, reason, _ in quarantine(con, result)] == [
        (2, "Thang", "implausible: Thang must be between 1 and 12"),
        (3, "TyLeDungHan", "implausible: TyLeDungHan must be between 0 and 100")]


ANNOUNCEMENT_COLUMNS = ["MaDonVi", "MaTTHC", "SoQuyetDinh", "NgayQuyetDinh", "NgayHieuLucVanBan",
                        "NgayCongKhai", "SoBoPhanCongKhai"]


def test_procedure_announcements_load_and_one_made_public_before_its_decision_does_not(
        con, inbox) -> None:
    rows = [{"MaDonVi": "T34.01.S001", "MaTTHC": "1.000001", "SoQuyetDinh": "12/QĐ-UBND",
             "NgayQuyetDinh": "03/03/2025", "NgayHieuLucVanBan": "15/03/2025",
             "NgayCongKhai": "05/03/2025 09:00:00", "SoBoPhanCongKhai": 7},
            {"MaDonVi": "T34.01.S001", "MaTTHC": "1.000002", "SoQuyetDinh": "12/QĐ-UBND",
             "NgayQuyetDinh": "03/03/2025", "NgayHieuLucVanBan": "15/03/2025",
             "NgayCongKhai": "28/02/2025 09:00:00", "SoBoPhanCongKhai": 7}]
    result = load(con, write_csv(inbox / "cong_bo.csv", ANNOUNCEMENT_COLUMNS, rows), inbox)
    assert (result.family, result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        "procedure_announcements", 2, 1, 1)
    assert quarantine(con, result) == [
        (2, "NgayQuyetDinh, NgayCongKhai", "implausible: NgayQuyetDinh is after NgayCongKhai",
         "2025-03-03 00:00:00 > 2025-02-28 09:00:00")]
    assert con.execute("select decided_on, made_public_at, components_published "
                       "from raw.procedure_announcements").fetchall() == [
        (dt.date(2025, 3, 3), dt.datetime(2025, 3, 5, 9, 0), 7)]


def test_a_run_fails_only_for_files_over_the_bad_share(con, inbox) -> None:
    bad = [record(i, MaTinh="99") for i in range(1, 3)] + [record(i) for i in range(3, 7)]
    good = [record(i) for i in range(10, 15)] + [record(15, MaTinh="99")]
    # 2 of 6 bad = 33 % > 20 %; 1 of 6 = 17 % is not
    a = load(con, write_csv(inbox / "a.csv", RECORD_COLUMNS, bad), inbox)
    load(con, write_csv(inbox / "b.csv", RECORD_COLUMNS, good), inbox)
    config = rules()
    assert files_over_threshold(con, config=config) == []  # 6 rows < min_rows 20: noise
    small = Rules(config.tolerance, config.max_share, 5, config.families)
    [over] = files_over_threshold(con, config=small)
    assert (over.source_file, over.rows_in, over.rows_quarantined) == ("a.csv", 6, 2)
    assert over.why == ("a.csv: 2 of 6 rows quarantined (33% > 20%): implausible: unknown "
                        "province code (2 rows)")
    assert files_over_threshold(con, [a.file_sha256 or ""], config=small) == [over]
    assert files_over_threshold(con, [], config=small) == []


def test_a_run_fails_for_a_unit_over_the_bad_share_though_no_file_is(con, inbox) -> None:
    """Agency T63.01.S001 sends 3 rows in each of two vendors' files, 2 of them impossible:
    each file is at the threshold (2 of 10 = 20 %, not above) but the agency, and its province
    Hà Nội, are at 4 of 6 (67 %). The other agency's 14 good rows fail nothing."""
    write_csv(inbox / "don_vi.csv", AGENCY_COLUMNS, [
        {"MaDonVi": a, "TenDonVi": "Sở Tư pháp", "CapDonVi": "tinh", "MaTinh": p,
         "HeThongMa": "gso63", "HieuLucTu": "01/08/2008"}
        for a, p in (("T63.01.S001", "01"), ("T63.02.S001", "02"))])
    load(con, inbox / "don_vi.csv", inbox)
    shas = []
    for name, start in (("a.csv", 1), ("b.csv", 20)):
        rows = [record(start, MaDonVi="T63.01.S001")] + [
            record(start + i, MaDonVi="T63.01.S001", MaTinh="99") for i in (1, 2)] + [
            record(start + i, MaDonVi="T63.02.S001", MaTinh="02") for i in range(3, 10)]
        result = load(con, write_csv(inbox / name, RECORD_COLUMNS, rows), inbox)
        assert (result.rows_in, result.rows_quarantined) == (10, 2)
        shas.append(result.file_sha256 or "")
    config = rules()
    small = Rules(config.tolerance, config.max_share, 5, config.families)
    assert files_over_threshold(con, shas, config=small) == []
    over = units_over_threshold(con, shas, config=small)
    assert [u.why for u in over] == [
        "agency T63.01.S001: 4 of 6 rows quarantined (67% > 20%): implausible: unknown "
        "province code (4 rows)",
        "province gso63:01: 4 of 6 rows quarantined (67% > 20%): implausible: unknown "
        "province code (4 rows)"]
    assert units_over_threshold(con, shas[:1], config=small) == []  # 3 rows < 5: noise
    assert units_over_threshold(con, shas, config=config) == []  # 6 rows < min_rows 20
    # every quarantined row carries the unit its file named
    assert con.execute("select count(*), count(unit_code) from raw.quarantine "
                       "where family = 'dossier_records'").fetchone() == (4, 4)


# --- 6. nothing hidden -----------------------------------------------------------------------


def test_every_input_of_a_run_has_a_result_and_the_inventory_lists_them(con, inbox) -> None:
    write_csv(inbox / "a_su_kien.csv", EVENT_COLUMNS, [event(1), event(2, LoaiSuKien="X")])
    (inbox / "b_utf16.csv").write_bytes("STT,Nội dung\n1,x\n".encode("utf-16"))
    (inbox / "c_empty.csv").write_bytes(b"")
    with zipfile.ZipFile(inbox / "d.zip", "w") as archive:
        archive.writestr("x.csv", csv_bytes(EVENT_COLUMNS, [event(3)]))
        archive.writestr("y.json", "[1, 2]")
    (inbox / "e.bin").write_bytes(bytes(range(256)) * 4)
    for path in inbox.iterdir():
        exported(path)
    results = load_inbox(con, inbox, pii_key=PII_KEY)
    statuses = [(r.source_file, r.status) for r in results]
    assert [r.inbox_file for r in results] == ["a_su_kien.csv", "b_utf16.csv", "c_empty.csv",
                                               "d.zip", "d.zip", "e.bin"]
    assert statuses == [("a_su_kien.csv", "loaded"), ("b_utf16.csv", "rejected"),
                        ("c_empty.csv", "rejected"), ("d.zip!x.csv", "loaded"),
                        ("d.zip!y.json", "rejected"), ("e.bin", "rejected")]
    for result in results:
        assert_accounted(con, result)
        assert result.status != "rejected" or result.reason
    inventory = inbox_inventory(con)
    assert [(f.source_file, f.status, f.encoding) for f in inventory.files] == [
        ("a_su_kien.csv", "loaded", "utf-8"), ("b_utf16.csv", "rejected", "utf-16"),
        ("c_empty.csv", "rejected", None), ("d.zip!x.csv", "loaded", "utf-8"),
        ("d.zip!y.json", "rejected", "utf-8"), ("e.bin", "rejected", None)]
    assert (inventory.count("loaded"), inventory.count("rejected")) == (2, 4)
    reasons = {f.source_file: f.reason for f in inventory.files}
    assert reasons["c_empty.csv"] == "empty file (0 bytes)"
    assert reasons["d.zip!y.json"] == (
        "a JSON array that is not a list of records (one object each)")
    assert (reasons["e.bin"] or "").startswith("not a known format: binary content")
    assert [(q.source_file, q.reason[:13], q.rows) for q in inventory.reasons] == [
        ("a_su_kien.csv", "unknown code:", 1)]
    assert json.dumps([f.source_file for f in inventory.files])  # plain data, printable


def test_a_copy_of_a_rejected_file_keeps_the_original_in_the_manifest(con, inbox) -> None:
    (inbox / "a.csv").write_text("STT,Nội dung\n1,x\n", encoding="utf-8")
    (inbox / "b.csv").write_bytes((inbox / "a.csv").read_bytes())
    a, b = load_inbox(con, inbox, pii_key=PII_KEY)
    assert (a.status, b.status) == ("rejected", "skipped")
    assert b.reason == f"same content as a.csv, rejected: {a.reason}"
    for result in (a, b):
        assert_accounted(con, result)
    assert con.execute("select source_file from raw.load_manifest").fetchall() == [("a.csv",)]


def test_chiso_inbox_lists_inputs_and_reasons_from_a_read_only_warehouse(tmp_path, inbox,
                                                                          monkeypatch) -> None:
    from typer.testing import CliRunner

    from chiso.cli import app

    warehouse = tmp_path / "w.duckdb"
    write_csv(inbox / "a.csv", EVENT_COLUMNS, [event(1), event(2), event(2)])
    (inbox / "b.csv").write_bytes(b"")
    with duckdb.connect(str(warehouse)) as con:
        load_inbox(con, inbox, pii_key=PII_KEY)
    monkeypatch.setenv("CHISO_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("COLUMNS", "200")
    shown = CliRunner().invoke(app, ["inbox"])
    assert shown.exit_code == 0, shown.output
    assert "empty file (0 bytes)" in shown.output
    assert "exact duplicate" in shown.output and "of row 2" not in shown.output
    assert "consistency checks" not in shown.output  # no warehouse build yet
    # once built, the dossiers the warehouse set aside are listed too, per province and reason
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_dossier__consistency_flags as select "
                    "'H01-1' as dossier_id, 'gso63:01' as province_key, "
                    "'inconsistent: the result was returned before processing ended' as reason")
    shown = CliRunner().invoke(app, ["inbox"])
    assert shown.exit_code == 0, shown.output
    assert "dossiers set aside by the consistency checks" in shown.output
    assert "inconsistent: the result was returned before processing ended" in shown.output
    assert shown.output.rstrip().endswith("1 loaded, 1 rejected")
