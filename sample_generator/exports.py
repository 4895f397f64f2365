"""Dossiers as their systems export them: record versions and status events, one file per
vendor and month, each vendor in its own dialect, with contract defects planted and listed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from sample_generator import writers
from sample_generator.catalogue import Catalogue
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, END_EVENT, END_STATUS, NAT, Dossiers

Columns = dict[str, np.ndarray]


@dataclass(frozen=True)
class Dialect:
    extension: str
    timestamp_format: str
    bom: bool = False
    nfd_events: bool = False
    exports_events: bool = True
    codes_as_numbers: bool = False  # some systems send enumerations as JSON numbers
    exports_sync_time: bool = True  # when each version reached the national portal


DIALECTS = {
    "vnpt_igate": Dialect(".csv", writers.DMY, bom=True, nfd_events=True),
    "dvcqg_sync": Dialect(".jsonl", writers.COMPACT, exports_events=False),
    # its exports do not say when a version reached the portal: the real-time sync criterion
    # is "not measured" for its provinces in the warehouse
    "viettel_motcua": Dialect(".parquet", writers.ISO_OFFSET, codes_as_numbers=True,
                              exports_sync_time=False),
}
RECORD_TIME_COLUMNS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
                       "NgayTraKetQua", "NgayCapNhat", "ThoiDiemDongBo")
SYNC_COLUMN = "ThoiDiemDongBo"


def version_span(d: Dossiers, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """Per dossier, its first and last record version by the cutoff (NAT: none yet)."""
    who, when, _ = _versions(d, cutoff)
    first = np.full(len(d), NAT)
    last = np.full(len(d), NAT)
    if len(who):
        starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
        ends = np.r_[starts[1:], len(who)] - 1
        first[who[starts]] = when[starts]  # grouped by dossier in time order
        last[who[ends]] = when[ends]
    return first, last


def _versions(d: Dossiers, cutoff: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dossier index, version time, status) for every state change up to the cutoff."""
    n = len(d)
    online = np.flatnonzero(d.channel == 2)
    every = np.arange(n)
    parts = [
        (online, d.submitted[online], np.full(len(online), 1)),
        (every, d.received, np.full(n, 2)),
        (every, d.supplement_requested[:, 0], np.full(n, 5)),
        (every, d.supplement_requested[:, 1], np.full(n, 5)),
        (every, d.ended, END_STATUS[d.outcome]),
        (every, d.returned, np.full(n, 10)),
    ]
    return _stack_changes(parts, cutoff)


def _stack_changes(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], cutoff: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate (dossier, time, label) parts that happened by the cutoff, grouped by
    dossier in time order (ties keep the order of the parts)."""
    who, when, label = [], [], []
    for i, t, lab in parts:
        ok = (t != NAT) & (t <= cutoff)
        who.append(i[ok])
        when.append(t[ok])
        label.append(lab[ok])
    who_a, when_a, label_a = np.concatenate(who), np.concatenate(when), np.concatenate(label)
    order = np.lexsort((np.arange(len(who_a)), when_a, who_a))
    return who_a[order], when_a[order], label_a[order]


def _running_number(who: np.ndarray) -> np.ndarray:
    """1, 2, 3... within each run of equal dossier indexes."""
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    return np.arange(len(who)) - np.repeat(starts, np.diff(np.r_[starts, len(who)])) + 1


def record_rows(d: Dossiers, cat: Catalogue, cutoff: int) -> tuple[Columns, np.ndarray]:
    """Dossier records, one row per dossier and version, and each row's dossier index."""
    who, when, status = _versions(d, cutoff)
    version = _running_number(who)

    def known(times: np.ndarray) -> np.ndarray:
        t = times[who]
        return np.where((t != NAT) & (t <= when), t, NAT)

    proc = d.procedure[who]
    returned_known = known(d.returned) != NAT
    e_result = d.electronic_result[who] & returned_known
    fee_list = np.where(
        cat.fee_bearing[proc],
        np.char.add(np.char.add('[{"TenPhiLePhi":"Lệ phí","MucPhi":',
                                ((proc % 9 + 1) * 10_000).astype(str)), "}]"),
        "[]",
    )
    cols: Columns = {
        "MaHoSo": d.id[who],
        "PhienBan": version,
        "MaTTHC": cat.code[proc].astype(str),
        "MaLinhVuc": cat.field_code[proc].astype(str),
        "MaDonVi": d.agency[who],
        "MaTinh": d.province_code[who],
        "CapThucHien": d.level[who],
        "KenhThucHien": d.channel[who],
        "NgayNopHoSo": d.submitted[who],
        "NgayTiepNhan": known(d.received),
        "NgayHenTra": np.where(known(d.received) != NAT, d.due[who], NAT),
        "NgayKetThucXuLy": known(d.ended),
        "NgayTraKetQua": known(d.returned),
        "NgayCapNhat": when,
        "TrangThaiHoSo": status,
        "DuocThanhToanTrucTuyen": d.paid_online[who],
        "DanhSachLePhi": fee_list,
        "HoSoCoThanhPhanSoHoa": d.has_digitised_part[who].astype(np.int64),
        "DuocSoHoa": d.digitised[who].astype(np.int64),
        "DuocLayTuKhoDMQG": d.reused[who].astype(np.int64),
        "MaKetQua": np.where(e_result, np.char.add("KQ-", d.id[who]), ""),
        "DuongDanTepTinKetQua": np.where(
            e_result, np.char.add(np.char.add("https://dichvucong.example.vn/kq/", d.id[who]),
                                  ".pdf"), ""),
        "TaiKhoanDuocXacThucVoiVNeID": d.vneid[who].astype(np.int64),
        "DanhGiaHaiLong": np.where(returned_known, d.rating[who], ""),
        "CoPhanAnhKienNghi": (d.complaint[who] & returned_known).astype(np.int64),
        # a version reaches the portal after its delay; one still on its way when the export
        # was made has no sync time yet
        SYNC_COLUMN: np.where(when + d.sync_delay[who] <= cutoff, when + d.sync_delay[who], NAT),
        "CoBanSaoDienTu": d.certified_copy[who].astype(np.int64),
        "SuDungDuLieuDanCu": d.population_data[who].astype(np.int64),
        "DongBoKhoCaNhan": d.personal_store[who].astype(np.int64),
        "ChuHoSo": d.applicant_name[who],
        "SoDinhDanh": d.applicant_cccd[who],
        "SoDienThoai": d.applicant_phone[who],
    }
    return cols, who


EVENT_NOTES = {
    "TIEP_NHAN": "Tiếp nhận hồ sơ tại Bộ phận Một cửa",
    "CHUYEN_XU_LY": "Chuyển hồ sơ đến phòng chuyên môn xử lý",
    "YEU_CAU_BO_SUNG": "Đề nghị bổ sung, hoàn thiện hồ sơ",
    "HOAN_THANH_BO_SUNG": "Công dân đã bổ sung đầy đủ hồ sơ",
    "XIN_LOI_HEN_LAI": "Gửi thư xin lỗi và hẹn lại ngày trả kết quả",
    "DA_XU_LY": "Đã xử lý xong hồ sơ",
    "TU_CHOI": "Từ chối giải quyết, trả lại hồ sơ kèm lý do",
    "RUT_HO_SO": "Công dân đề nghị rút hồ sơ",
    "DUNG_XU_LY": "Dừng giải quyết hồ sơ",
    "DA_TRA_KET_QUA": "Đã trả kết quả cho công dân",
}


def event_rows(d: Dossiers, cutoff: int) -> tuple[Columns, np.ndarray]:
    """Status events, one row per state change, and each row's dossier index."""
    n = len(d)
    idx = np.arange(n)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [
        (idx, d.received, np.full(n, "TIEP_NHAN")),
        (idx, d.transferred, np.full(n, "CHUYEN_XU_LY")),
        (idx, d.supplement_requested[:, 0], np.full(n, "YEU_CAU_BO_SUNG")),
        (idx, d.supplement_completed[:, 0], np.full(n, "HOAN_THANH_BO_SUNG")),
        (idx, d.supplement_requested[:, 1], np.full(n, "YEU_CAU_BO_SUNG")),
        (idx, d.supplement_completed[:, 1], np.full(n, "HOAN_THANH_BO_SUNG")),
        (idx, d.apology, np.full(n, "XIN_LOI_HEN_LAI")),
        (idx, d.ended, END_EVENT[d.outcome]),
        (idx, d.returned, np.full(n, "DA_TRA_KET_QUA")),
    ]
    who_a, when_a, kind_a = _stack_changes(parts, cutoff)
    seq = _running_number(who_a)
    status_of = {"TIEP_NHAN": 2, "CHUYEN_XU_LY": 4, "YEU_CAU_BO_SUNG": 5,
                 "HOAN_THANH_BO_SUNG": 4, "XIN_LOI_HEN_LAI": 4, "DA_XU_LY": 9, "TU_CHOI": 3,
                 "RUT_HO_SO": 7, "DUNG_XU_LY": 8, "DA_TRA_KET_QUA": 10}
    kinds, kind_pos = np.unique(kind_a, return_inverse=True)
    status = np.array([status_of[k] for k in kinds])[kind_pos]
    notes = np.array([EVENT_NOTES[k] for k in kinds])[kind_pos]
    cols: Columns = {
        "MaSuKien": np.char.add(np.char.add(d.id[who_a], "-"), np.char.zfill(seq.astype(str), 2)),
        "MaHoSo": d.id[who_a],
        "LoaiSuKien": kind_a,
        "ThoiDiem": when_a,
        "TrangThai": status,
        "MaDonVi": d.agency[who_a],
        "NguoiXuLy": d.handler[who_a],
        "NgayHenTraMoi": np.where(kind_a == "XIN_LOI_HEN_LAI", d.apology_new_due[who_a], NAT),
        "GhiChu": notes,
    }
    return cols, who_a


RECORD_CODE_COLUMNS = ("KenhThucHien", "TrangThaiHoSo", "DuocThanhToanTrucTuyen")
EVENT_TIME_COLUMNS = ("ThoiDiem", "NgayHenTraMoi")
BAD_DATES = {
    writers.DMY: ("31/02/2024 08:15:00", "2024-13-01", "không rõ", "15/08/2024 25:61:00"),
    writers.COMPACT: ("20241341081500", "2024083", "chua cap nhat"),
    writers.ISO_OFFSET: ("2024-02-30T10:00:00+07:00", "2024-06-31T08:00", "null-date"),
}


@dataclass
class ExportFile:
    """One file about to be written: its columns and the dossier index of each row."""

    relative: str
    family: str
    dialect: Dialect
    columns: Columns
    dossier: np.ndarray


def _format(cols: Columns, time_columns: tuple[str, ...], dialect: Dialect,
            code_columns: tuple[str, ...]) -> Columns:
    out = dict(cols)
    if not dialect.exports_sync_time:
        out.pop(SYNC_COLUMN, None)
    for name in time_columns:
        if name not in out:
            continue
        out[name] = writers.format_timestamps(cols[name], dialect.timestamp_format).to_numpy(
            zero_copy_only=False)
    for name in code_columns:
        if not dialect.codes_as_numbers:
            out[name] = cols[name].astype(str).astype(object)
    for name, values in out.items():
        if values.dtype.kind in "UO":
            values = values.astype(object)
            values[values == ""] = None
            out[name] = values
    return out


def _split(cols: Columns, who: np.ndarray, d: Dossiers, times: np.ndarray,
           kind: str, family: str) -> list[ExportFile]:
    """One file per vendor and month of the change, rows in the order the system sent them."""
    month = times.astype("datetime64[s]").astype("datetime64[M]")
    vendor = d.vendor[who]
    order = np.lexsort((np.arange(len(who)), times, month, vendor))
    key = np.char.add(vendor[order], np.datetime_as_string(month[order]))
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    files = []
    for lo, hi in itertools.pairwise(bounds):
        rows = order[lo:hi]
        v = str(vendor[rows[0]])
        dialect = DIALECTS[v]
        if kind == "events" and not dialect.exports_events:
            continue
        stem = "ho_so" if kind == "records" else "su_kien"
        relative = f"{kind.replace('records', 'dossiers')}/{v}/{stem}_{month[rows[0]]}" \
                   f"{dialect.extension}"
        files.append(ExportFile(relative, family, dialect,
                                {k: c[rows] for k, c in cols.items()}, who[rows]))
    return files


def _plant_contract_defects(ctx: SampleContext, f: ExportFile, rng: np.random.Generator,
                            id_column: str, time_column: str, code_column: str,
                            bad_code: object) -> None:
    """Unparseable dates, unknown codes, missing ids and exact duplicates, at listed rows."""
    n = len(f.dossier)
    share = ctx.config.defects.malformed_share
    counts = rng.binomial(n, share, 3)
    dup_count = rng.binomial(n, ctx.config.defects.duplicate_share) \
        if f.dialect.extension != ".parquet" else 0
    picked = rng.permutation(n)[: counts.sum() + dup_count]
    bad_date_rows, bad_code_rows, no_id_rows, dup_rows = np.split(
        picked, np.cumsum([counts[0], counts[1], counts[2]]))
    bad = BAD_DATES[f.dialect.timestamp_format]
    f.columns[time_column] = f.columns[time_column].copy()
    f.columns[time_column][bad_date_rows] = [bad[i % len(bad)] for i in range(len(bad_date_rows))]
    f.columns[code_column] = f.columns[code_column].copy()
    f.columns[code_column][bad_code_rows] = bad_code
    f.columns[id_column] = f.columns[id_column].copy()
    f.columns[id_column][no_id_rows] = None

    dup_rows = np.sort(dup_rows)
    take = np.insert(np.arange(n), dup_rows + 1, dup_rows)
    is_copy = np.insert(np.zeros(n, dtype=bool), dup_rows + 1, True)
    f.columns = {k: c[take] for k, c in f.columns.items()}
    f.dossier = f.dossier[take]
    final_row = np.flatnonzero(~is_copy) + 1  # 1-based row of each original row
    for kind, rows, details in (
        ("unparseable_date", bad_date_rows, {"column": time_column}),
        ("unknown_code", bad_code_rows, {"column": code_column, "value": str(bad_code)}),
        ("missing_id", no_id_rows, {"column": id_column}),
    ):
        if len(rows):
            ctx.truth.add_defect(kind, "contract", f.relative, final_row[rows].tolist(), **details)
    if len(dup_rows):
        ctx.truth.add_defect("duplicate_row", "contract", f.relative,
                             (np.flatnonzero(is_copy) + 1).tolist(),
                             duplicate_of=final_row[dup_rows].tolist())


def _write(ctx: SampleContext, f: ExportFile) -> None:
    table = pa.table({k: pa.array(v) for k, v in f.columns.items()})
    nfd = f.dialect.nfd_events and f.relative.startswith("events/")
    ctx.write(table, f.relative, f.family, bom=f.dialect.bom, nfd=nfd,
              timestamp_format=f.dialect.timestamp_format)


def _truncate(ctx: SampleContext, f: ExportFile) -> None:
    """An interrupted transfer: the file ends in the middle of its last line."""
    path = ctx.inbox / f.relative
    data = path.read_bytes()
    last_line_start = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = last_line_start + (len(data) - last_line_start) // 2
    path.write_bytes(data[:cut])
    ctx.truth.add_defect("truncated_file", "contract", f.relative, [len(f.dossier)],
                         bytes_removed=len(data) - cut)


def write_dossier_exports(ctx: SampleContext, d: Dossiers, cat: Catalogue) -> dict[str, int]:
    cfg = ctx.config
    cutoff = ((cfg.end - EPOCH).days + 1) * DAY - 1
    rng = ctx.rng("dossier-defects")

    # due dates that disagree with the legal time: kept in every version of those dossiers
    working_days = np.flatnonzero(cat.time_unit[d.procedure] == "ngay_lam_viec")
    shifted = rng.choice(working_days, int(len(d) * cfg.defects.due_date_inconsistent_share),
                         replace=False)
    shifted_days = rng.integers(3, 11, len(shifted))
    as_sent = Dossiers(**vars(d))
    as_sent.due = d.due.copy()
    as_sent.due[shifted] += shifted_days * DAY

    rec, rec_who = record_rows(as_sent, cat, cutoff)
    ev, ev_who = event_rows(d, cutoff)
    record_files = _split(rec, rec_who, d, rec["NgayCapNhat"], "records", "dossier_records")
    event_files = _split(ev, ev_who, d, ev["ThoiDiem"], "events", "dossier_events")

    truncated = None
    if cfg.defects.truncate_one_file:
        jsonl = [f for f in record_files if f.dialect.extension == ".jsonl"]
        truncated = jsonl[len(jsonl) // 2] if jsonl else None
    shifted_set = np.zeros(len(d), dtype=bool)
    shifted_set[shifted] = True
    totals = {"dossiers": len(d), "record_rows": 0, "event_rows": 0}
    for f in record_files:
        f.columns = _format(f.columns, RECORD_TIME_COLUMNS, f.dialect, RECORD_CODE_COLUMNS)
        _plant_contract_defects(ctx, f, rng, "MaHoSo", "NgayTiepNhan", "KenhThucHien",
                                9 if f.dialect.codes_as_numbers else "9")
        rows = np.flatnonzero(shifted_set[f.dossier] & (f.columns["NgayHenTra"] != None))  # noqa: E711
        if len(rows):
            ctx.truth.add_defect("due_date_inconsistent", "consistency", f.relative,
                                 (rows + 1).tolist(), column="NgayHenTra")
        _write(ctx, f)
        totals["record_rows"] += len(f.dossier)
        if f is truncated:
            _truncate(ctx, f)
    for f in event_files:
        f.columns = _format(f.columns, EVENT_TIME_COLUMNS, f.dialect, ("TrangThai",))
        _plant_contract_defects(ctx, f, rng, "MaHoSo", "ThoiDiem", "LoaiSuKien", "KHONG_RO")
        _write(ctx, f)
        totals["event_rows"] += len(f.dossier)
    return totals
