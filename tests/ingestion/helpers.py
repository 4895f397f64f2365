"""Small hand-made export files and the accounting every load must satisfy."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import duckdb

from ingestion.contracts import contract_for
from ingestion.loader import FileLoadResult

PII_KEY = b"chiso-ingestion-tests-key-0001"

EVENT_COLUMNS = ["MaSuKien", "MaHoSo", "LoaiSuKien", "ThoiDiem", "TrangThai", "MaDonVi",
                 "NguoiXuLy", "NgayHenTraMoi", "GhiChu"]
RECORD_COLUMNS = [
    "MaHoSo", "PhienBan", "MaTTHC", "MaLinhVuc", "MaDonVi", "MaTinh", "CapThucHien",
    "KenhThucHien", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
    "NgayTraKetQua", "NgayCapNhat", "TrangThaiHoSo", "DuocThanhToanTrucTuyen", "DanhSachLePhi",
    "HoSoCoThanhPhanSoHoa", "DuocSoHoa", "DuocLayTuKhoDMQG", "MaKetQua", "DuongDanTepTinKetQua",
    "TaiKhoanDuocXacThucVoiVNeID", "DanhGiaHaiLong", "CoPhanAnhKienNghi", "ChuHoSo",
    "SoDinhDanh", "SoDienThoai",
]


CATALOGUE_COLUMNS = ["MaTTHC", "TenTTHC", "MaLinhVuc", "CapThucHien", "ThoiHanGiaiQuyet",
                     "DonViThoiGian", "MucDoDVC", "CoPhiLePhi"]


def procedure(code: str, **values: object) -> dict[str, object]:
    row = {"MaTTHC": code, "TenTTHC": "Cấp giấy phép xây dựng", "MaLinhVuc": "G05",
           "CapThucHien": "tinh;huyen", "ThoiHanGiaiQuyet": 15,
           "DonViThoiGian": "ngay_lam_viec", "MucDoDVC": "mot_phan", "CoPhiLePhi": 1}
    return row | values


AGENCY_COLUMNS = ["MaDonVi", "TenDonVi", "CapDonVi", "MaTinh", "HeThongMa", "HieuLucTu"]


def event(n: int, **values: Any) -> dict[str, Any]:
    row = {"MaSuKien": f"H01-250301-{n:05d}-01", "MaHoSo": f"H01-250301-{n:05d}",
           "LoaiSuKien": "TIEP_NHAN", "ThoiDiem": "03/03/2025 08:15:00", "TrangThai": "2",
           "MaDonVi": "T63.01.S001", "NguoiXuLy": "CB0001", "NgayHenTraMoi": None,
           "GhiChu": "Tiếp nhận hồ sơ tại Bộ phận Một cửa"}
    return row | values


def record(n: int, version: int = 1, **values: Any) -> dict[str, Any]:
    row = {
        "MaHoSo": f"H01-250301-{n:05d}", "PhienBan": version, "MaTTHC": "1.001234",
        "MaLinhVuc": "G05", "MaDonVi": "T63.01.S001", "MaTinh": "01", "CapThucHien": "tinh",
        "KenhThucHien": "2", "NgayNopHoSo": "01/03/2025 08:00:00",
        "NgayTiepNhan": "03/03/2025 08:15:00", "NgayHenTra": "10/03/2025 08:15:00",
        "NgayKetThucXuLy": None, "NgayTraKetQua": None, "NgayCapNhat": "03/03/2025 08:15:00",
        "TrangThaiHoSo": "2", "DuocThanhToanTrucTuyen": "0", "DanhSachLePhi": "[]",
        "HoSoCoThanhPhanSoHoa": 1, "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0, "MaKetQua": None,
        "DuongDanTepTinKetQua": None, "TaiKhoanDuocXacThucVoiVNeID": 1, "DanhGiaHaiLong": None,
        "CoPhanAnhKienNghi": 0, "ChuHoSo": f"Nguyễn Văn Thử {n}",
        "SoDinhDanh": f"0010{n:08d}", "SoDienThoai": f"0912{n:06d}",
    }
    return row | values


def csv_bytes(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return out.getvalue().encode("utf-8")


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]], *,
              encoding: str = "utf-8", bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = csv_bytes(columns, rows).decode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def count(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> int:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return int(row[0])


def assert_accounted(con: duckdb.DuckDBPyConnection, result: FileLoadResult) -> None:
    """rows_in = loaded + quarantined, and raw, quarantine and manifest say the same."""
    assert result.rows_in == result.rows_loaded + result.rows_quarantined
    manifest = con.execute(
        "select source_file, status, reason, rows_in, rows_loaded, rows_quarantined, rows_new "
        "from raw.load_manifest where file_sha256 = ?", [result.file_sha256]).fetchall()
    if result.status == "skipped":  # loaded before, or a copy of a rejected input
        copy = (result.reason or "").startswith("same content as ")
        assert len(manifest) == 1 and manifest[0][1] == ("rejected" if copy else "loaded")
        return
    assert manifest == [(result.source_file, result.status, result.reason, result.rows_in,
                         result.rows_loaded, result.rows_quarantined, result.rows_new)]
    quarantined_rows = count(
        con, "select count(distinct source_row) from raw.quarantine where file_sha256 = ?",
        result.file_sha256)
    if result.status == "rejected":
        assert result.rows_in == result.rows_loaded == result.rows_quarantined == 0
        assert count(con, "select count(*) from raw.quarantine where file_sha256 = ? "
                     "and source_row is null", result.file_sha256) == 1
        return
    assert quarantined_rows == result.rows_quarantined
    assert result.family is not None
    table = contract_for(result.family).table
    assert count(con, f"select count(*) from raw.{table} where _file_sha256 = ?",
                 result.file_sha256) == result.rows_new


def quarantine(con: duckdb.DuckDBPyConnection, result: FileLoadResult
               ) -> list[tuple[int | None, str | None, str, str | None]]:
    return con.execute(
        "select source_row, field, reason, raw_value from raw.quarantine "
        "where file_sha256 = ? order by source_row, field", [result.file_sha256]).fetchall()
