"""Dossiers as their systems export them: record versions and status events, one file per
vendor and month, each vendor in its own dialect, with contract defects planted and listed.

Written as a stream: each window of dossiers (see `dossiers.py`) yields every row its dossiers
will ever produce, kept as small integer arrays until the clock reaches them. After a window,
the rows that happened before its end are written (in time order, appended to their vendor's
month file) and the dossiers with nothing left to send are let go, so memory holds one window
and the dossiers still open, whatever the sample's size. A month's files are closed (and their
defects listed) once no window can add to them.

With an increment day, the day after the sample's last is drawn at its own volume, and every
row of that day (new dossiers, and the updates of the sample's open ones) goes to
`_increment/` with its own ground truth: the night's delivery for an incremental run.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from foundation.calendar import EPOCH
from sample_generator import writers
from sample_generator.arrow_text import choose, format_seconds, from_fixed_bytes, from_matrix
from sample_generator.catalogue import LEVELS, Catalogue
from sample_generator.context import SampleContext
from sample_generator.dossiers import (
    DAY,
    END_STATUS,
    NAT,
    PROVINCE_CODES,
    RATINGS,
    VENDORS,
    DossierPlan,
    Dossiers,
    Window,
    draw_window,
    windows,
)
from sample_generator.truth import GroundTruth, WrittenFile

INCREMENT = "_increment"


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
EVENT_KINDS = ("TIEP_NHAN", "CHUYEN_XU_LY", "YEU_CAU_BO_SUNG", "HOAN_THANH_BO_SUNG",
               "XIN_LOI_HEN_LAI", "DA_XU_LY", "TU_CHOI", "RUT_HO_SO", "DUNG_XU_LY",
               "DA_TRA_KET_QUA")
EVENT_STATUS = np.array([2, 4, 5, 4, 4, 9, 3, 7, 8, 10])
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
# the ending event of each outcome (dossiers.OUTCOMES order), as an EVENT_KINDS index
END_KIND = np.array([EVENT_KINDS.index(k) for k in ("DA_XU_LY", "TU_CHOI", "RUT_HO_SO",
                                                     "DUNG_XU_LY")])
RECORD_TIME_COLUMNS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
                       "NgayTraKetQua", "NgayCapNhat", "ThoiDiemDongBo")
SYNC_COLUMN = "ThoiDiemDongBo"
BAD_DATES = {
    writers.DMY: ("31/02/2024 08:15:00", "2024-13-01", "không rõ", "15/08/2024 25:61:00"),
    writers.COMPACT: ("20241341081500", "2024083", "chua cap nhat"),
    writers.ISO_OFFSET: ("2024-02-30T10:00:00+07:00", "2024-06-31T08:00", "null-date"),
}


@dataclass(frozen=True)
class Kind:
    """Records or events: where their files go and which columns take the planted defects."""

    name: str
    family: str
    folder: str
    stem: str
    time_column: str
    code_column: str


RECORDS = Kind("records", "dossier_records", "dossiers", "ho_so", "NgayTiepNhan",
               "KenhThucHien")
EVENTS = Kind("events", "dossier_events", "events", "su_kien", "ThoiDiem", "LoaiSuKien")


# --- what each dossier will send, as small arrays ----------------------------------------------


@dataclass
class Changes:
    """One kind of row of a batch: dossier, time, label (status or event kind), running
    number within the dossier, and rank (the order of a dossier's changes at equal times);
    sorted by time. Rows before `pos` are written."""

    who: np.ndarray
    when: np.ndarray
    label: np.ndarray
    number: np.ndarray
    rank: np.ndarray
    pos: int = 0

    @staticmethod
    def stack(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Changes:
        who, when, label = [], [], []
        for i, t, lab in parts:
            ok = t != NAT
            who.append(i[ok])
            when.append(t[ok])
            label.append(lab[ok])
        who_a, when_a, label_a = np.concatenate(who), np.concatenate(when), np.concatenate(label)
        # a dossier's changes in time order, ties in the order of the parts
        order = np.lexsort((np.arange(len(who_a)), when_a, who_a))
        who_a, when_a, label_a = who_a[order], when_a[order], label_a[order]
        starts = np.flatnonzero(np.r_[True, who_a[1:] != who_a[:-1]])
        number = np.arange(len(who_a)) - np.repeat(starts, np.diff(np.r_[starts, len(who_a)])) + 1
        by_time = np.argsort(when_a, kind="stable")
        return Changes(who_a[by_time], when_a[by_time], label_a[by_time], number[by_time],
                       by_time.astype(np.int64))

    def upto(self, limit: int) -> slice:
        """The rows not written yet that happened before `limit`; marks them written."""
        hi = int(np.searchsorted(self.when, limit, side="left"))
        taken = slice(self.pos, max(hi, self.pos))
        self.pos = max(hi, self.pos)
        return taken

    def remaining_who(self) -> np.ndarray:
        return self.who[self.pos:]

    def compact(self, keep: np.ndarray) -> Changes:
        rest = slice(self.pos, None)
        return Changes(np.searchsorted(keep, self.who[rest]), self.when[rest], self.label[rest],
                       self.number[rest], self.rank[rest])


def record_changes(d: Dossiers) -> Changes:
    """Every version a dossier's system will send: submitted (online), received, supplement
    requests, ended, result returned."""
    n = len(d)
    online = np.flatnonzero(d.channel == 2)
    every = np.arange(n)
    return Changes.stack([
        (online, d.submitted[online], np.full(len(online), 1)),
        (every, d.received, np.full(n, 2)),
        (every, d.supplement_requested[:, 0], np.full(n, 5)),
        (every, d.supplement_requested[:, 1], np.full(n, 5)),
        (every, d.ended, END_STATUS[d.outcome]),
        (every, d.returned, np.full(n, 10)),
    ])


def version_span(d: Dossiers, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """Per dossier, its first and last record version by the cutoff (NAT: none yet)."""
    c = record_changes(d)
    by_cutoff = c.when <= cutoff
    who, when = c.who[by_cutoff], c.when[by_cutoff]
    first = np.full(len(d), np.iinfo(np.int64).max)
    last = np.full(len(d), NAT)
    np.minimum.at(first, who, when)
    np.maximum.at(last, who, when)
    return np.where(last == NAT, NAT, first), last


def event_changes(d: Dossiers) -> Changes:
    """Every status event: one per state change (labels index EVENT_KINDS)."""
    n = len(d)
    idx = np.arange(n)

    def kind(name: str) -> np.ndarray:
        return np.full(n, EVENT_KINDS.index(name))

    return Changes.stack([
        (idx, d.received, kind("TIEP_NHAN")),
        (idx, d.transferred, kind("CHUYEN_XU_LY")),
        (idx, d.supplement_requested[:, 0], kind("YEU_CAU_BO_SUNG")),
        (idx, d.supplement_completed[:, 0], kind("HOAN_THANH_BO_SUNG")),
        (idx, d.supplement_requested[:, 1], kind("YEU_CAU_BO_SUNG")),
        (idx, d.supplement_completed[:, 1], kind("HOAN_THANH_BO_SUNG")),
        (idx, d.apology, kind("XIN_LOI_HEN_LAI")),
        (idx, d.ended, END_KIND[d.outcome]),
        (idx, d.returned, kind("DA_TRA_KET_QUA")),
    ])


@dataclass
class Batch:
    seq: int
    dossiers: Dossiers
    records: Changes
    events: Changes

    def compact(self) -> Batch | None:
        """Let go of the dossiers with nothing left to send (None: the batch is done)."""
        left = np.concatenate([self.records.remaining_who(), self.events.remaining_who()])
        if not len(left):
            return None
        keep = np.unique(left)
        if len(keep) > len(self.dossiers) // 2:
            return self
        return Batch(self.seq, self.dossiers.take(keep), self.records.compact(keep),
                     self.events.compact(keep))


# --- rows as Arrow columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """The catalogue's and agencies' text as Arrow dictionaries, built once."""

    procedure: pa.Array
    field: pa.Array
    fees: pa.Array
    agency: pa.Array
    province: pa.Array
    level: pa.Array
    rating: pa.Array
    event: pa.Array
    notes: pa.Array
    notes_nfd: pa.Array

    @staticmethod
    def build(cat: Catalogue, plan: DossierPlan) -> Texts:
        proc = np.arange(len(cat.code))
        fees = [f'[{{"TenPhiLePhi":"Lệ phí","MucPhi":{(p % 9 + 1) * 10_000}}}]'
                if fee else "[]" for p, fee in zip(proc, cat.fee_bearing, strict=True)]
        notes = [EVENT_NOTES[k] for k in EVENT_KINDS]
        return Texts(
            procedure=pa.array(cat.code.astype(str).tolist(), pa.string()),
            field=pa.array(cat.field_code.astype(str).tolist(), pa.string()),
            fees=pa.array(fees, pa.string()),
            agency=pa.array(plan.agency_codes.astype(str).tolist(), pa.string()),
            province=pa.array(PROVINCE_CODES.tolist(), pa.string()),
            level=pa.array(list(LEVELS), pa.string()),
            rating=pa.array([r or None for r in RATINGS], pa.string()),
            event=pa.array(list(EVENT_KINDS), pa.string()),
            notes=pa.array(notes, pa.string()),
            notes_nfd=writers.to_nfd(pa.table({"n": notes})).column("n").combine_chunks())


def _code(values: np.ndarray, dialect: Dialect) -> pa.Array:
    """An enumeration: a number for systems that send numbers, its digits as text otherwise."""
    array = pa.array(np.asarray(values, np.int64))
    return array if dialect.codes_as_numbers else array.cast(pa.string())


def _prefixed(prefix: str, ids: pa.Array, suffix: str, valid: np.ndarray) -> pa.Array:
    joined = pc.binary_join_element_wise(prefix, ids, suffix, "")
    return pc.if_else(pa.array(valid), joined, pa.scalar(None, pa.string()))


def record_table(d: Dossiers, c: Changes, rows: np.ndarray, dialect: Dialect,
                 texts: Texts, exported_at: int) -> pa.Table:
    """Dossier records as the portal's sync format has them, one row per version;
    `exported_at`: the moment the export is made (a version still on its way to the portal
    then has no sync time yet)."""
    who, when = c.who[rows], c.when[rows]

    def known(times: np.ndarray) -> np.ndarray:
        t = times[who]
        return np.where((t != NAT) & (t <= when), t, NAT)

    def timestamps(values: np.ndarray) -> pa.Array:
        return format_seconds(values, dialect.timestamp_format)

    received = known(d.received)
    returned = known(d.returned)
    returned_known = returned != NAT
    e_result = d.electronic_result[who] & returned_known
    ids = from_fixed_bytes(d.id[who])
    proc = d.procedure[who]
    synced = when + d.sync_delay[who]
    sync_time = {SYNC_COLUMN: timestamps(np.where(synced <= exported_at, synced, NAT))} \
        if dialect.exports_sync_time else {}
    return pa.table({
        "MaHoSo": ids,
        "PhienBan": pa.array(c.number[rows]),
        "MaTTHC": choose(texts.procedure, proc),
        "MaLinhVuc": choose(texts.field, proc),
        "MaDonVi": choose(texts.agency, d.agency_index[who]),
        "MaTinh": choose(texts.province, d.province[who]),
        "CapThucHien": choose(texts.level, d.level_index[who]),
        "KenhThucHien": _code(d.channel[who], dialect),
        "NgayNopHoSo": timestamps(d.submitted[who]),
        "NgayTiepNhan": timestamps(received),
        "NgayHenTra": timestamps(np.where(received != NAT, d.due_sent[who], NAT)),
        "NgayKetThucXuLy": timestamps(known(d.ended)),
        "NgayTraKetQua": timestamps(returned),
        "NgayCapNhat": timestamps(when),
        "TrangThaiHoSo": _code(c.label[rows], dialect),
        "DuocThanhToanTrucTuyen": _code(d.paid_online[who], dialect),
        "DanhSachLePhi": choose(texts.fees, proc),
        "HoSoCoThanhPhanSoHoa": pa.array(d.has_digitised_part[who].astype(np.int64)),
        "DuocSoHoa": pa.array(d.digitised[who].astype(np.int64)),
        "DuocLayTuKhoDMQG": pa.array(d.reused[who].astype(np.int64)),
        "MaKetQua": _prefixed("KQ-", ids, "", e_result),
        "DuongDanTepTinKetQua": _prefixed("https://dichvucong.example.vn/kq/", ids, ".pdf",
                                          e_result),
        "TaiKhoanDuocXacThucVoiVNeID": pa.array(d.vneid[who].astype(np.int64)),
        "DanhGiaHaiLong": choose(texts.rating, np.where(returned_known, d.rating_index[who], 0)),
        "CoPhanAnhKienNghi": pa.array((d.complaint[who] & returned_known).astype(np.int64)),
        **sync_time,
        "CoBanSaoDienTu": pa.array(d.certified_copy[who].astype(np.int64)),
        "SuDungDuLieuDanCu": pa.array(d.population_data[who].astype(np.int64)),
        "DongBoKhoCaNhan": pa.array(d.personal_store[who].astype(np.int64)),
        "ChuHoSo": d.name.take(who).text(),
        "SoDinhDanh": from_fixed_bytes(d.applicant_cccd[who]),
        "SoDienThoai": from_fixed_bytes(d.applicant_phone[who]),
    })


def event_table(d: Dossiers, c: Changes, rows: np.ndarray, dialect: Dialect,
                texts: Texts) -> pa.Table:
    """Status events, one row per state change (notes in NFD where the system writes NFD)."""
    who, kind = c.who[rows], c.label[rows]
    n = len(who)
    event_id = np.empty((n, 19), np.uint8)
    event_id[:, :16] = d.id[who].view(np.uint8).reshape(n, 16)
    event_id[:, 16] = ord("-")
    number = c.number[rows]
    event_id[:, 17] = 48 + number // 10 % 10
    event_id[:, 18] = 48 + number % 10
    handler = np.empty((n, 6), np.uint8)
    handler[:, :2] = np.frombuffer(b"CB", np.uint8)
    staff = d.handler[who]
    for k in range(4):
        handler[:, 5 - k] = 48 + staff // 10**k % 10
    apology = kind == EVENT_KINDS.index("XIN_LOI_HEN_LAI")
    return pa.table({
        "MaSuKien": from_matrix(event_id),
        "MaHoSo": from_fixed_bytes(d.id[who]),
        "LoaiSuKien": choose(texts.event, kind),
        "ThoiDiem": format_seconds(c.when[rows], dialect.timestamp_format),
        "TrangThai": _code(EVENT_STATUS[kind], dialect),
        "MaDonVi": choose(texts.agency, d.agency_index[who]),
        "NguoiXuLy": from_matrix(handler),
        "NgayHenTraMoi": format_seconds(np.where(apology, d.apology_new_due[who], NAT),
                                        dialect.timestamp_format),
        "GhiChu": choose(texts.notes_nfd if dialect.nfd_events else texts.notes, kind),
    })


# --- files, appended window by window ----------------------------------------------------------


@dataclass
class Chunk:
    """Rows about to be appended to one file, with what the defects need to know of them."""

    table: pa.Table
    due_shifted: np.ndarray  # records: the row's dossier was sent a wrong due date


@dataclass
class Sink:
    """One export file being written: its appender, rows so far and the defects planted."""

    relative: str
    kind: Kind
    dialect: Dialect
    truth: GroundTruth
    root: Path
    rng: np.random.Generator
    truncate: bool = False
    rows: int = 0
    planted: dict[str, list[int]] = field(default_factory=dict)
    duplicate_of: list[int] = field(default_factory=list)
    appender: writers.Appender | None = None

    def append(self, ctx: SampleContext, chunk: Chunk) -> None:
        table, shifted = self._plant(ctx, chunk)
        if self.appender is None:
            nfd = self.dialect.nfd_events and self.kind is EVENTS
            self.appender = writers.appender(self.root / self.relative, bom=self.dialect.bom,
                                             nfd=nfd)
        self.appender.append(table)
        if self.kind is RECORDS:
            due = np.flatnonzero(shifted & table.column("NgayHenTra").is_valid().to_numpy(
                zero_copy_only=False))
            self.planted.setdefault("due_date_inconsistent", []).extend(
                (due + self.rows + 1).tolist())
        self.rows += table.num_rows

    def _plant(self, ctx: SampleContext, chunk: Chunk) -> tuple[pa.Table, np.ndarray]:
        """Unparseable dates, unknown codes, missing ids and exact duplicates at listed rows."""
        table, rng = chunk.table, self.rng
        n = table.num_rows
        defects = ctx.config.defects
        counts = rng.binomial(n, defects.malformed_share, 3)
        dup_count = rng.binomial(n, defects.duplicate_share) \
            if self.dialect.extension != ".parquet" else 0
        picked = rng.permutation(n)[: counts.sum() + dup_count]
        bad_date, bad_code, no_id, dup = (np.sort(p) for p in np.split(
            picked, np.cumsum([counts[0], counts[1], counts[2]])))
        bad = BAD_DATES[self.dialect.timestamp_format]
        code = self.kind.code_column
        bad_code_value = 9 if self.dialect.codes_as_numbers and self.kind is RECORDS else (
            "9" if self.kind is RECORDS else "KHONG_RO")
        replaced = {
            self.kind.time_column: (bad_date, pa.array([bad[i % len(bad)]
                                                        for i in range(len(bad_date))],
                                                       pa.string())),
            code: (bad_code, pa.array([bad_code_value] * len(bad_code),
                                      table.schema.field(code).type)),
            "MaHoSo": (no_id, pa.nulls(len(no_id), pa.string())),
        }
        for name, (rows, values) in replaced.items():
            if len(rows):
                mask = np.zeros(n, bool)
                mask[rows] = True
                column = table.column(name).combine_chunks()
                table = table.set_column(table.schema.get_field_index(name), name,
                                         pc.replace_with_mask(column, pa.array(mask), values))
        take = np.insert(np.arange(n), dup + 1, dup)
        is_copy = np.insert(np.zeros(n, bool), dup + 1, True)
        shifted = chunk.due_shifted
        if len(dup):
            table = table.take(pa.array(take))
            shifted = shifted[take]
        final_row = np.flatnonzero(~is_copy) + 1 + self.rows  # file row of each original row
        for kind, rows in (("unparseable_date", bad_date), ("unknown_code", bad_code),
                           ("missing_id", no_id)):
            self.planted.setdefault(kind, []).extend(final_row[rows].tolist())
        self.planted.setdefault("duplicate_row", []).extend(
            (np.flatnonzero(is_copy) + 1 + self.rows).tolist())
        self.duplicate_of.extend(final_row[dup].tolist())
        return table, shifted

    def close(self) -> None:
        if self.appender is None:
            return
        self.appender.close()
        fmt = self.dialect.extension.lstrip(".")
        nfd = self.dialect.nfd_events and self.kind is EVENTS
        self.truth.add_file(WrittenFile(
            path=self.relative, family=self.kind.family, format=fmt, rows=self.rows,
            encoding="utf-8-sig" if self.dialect.bom else "utf-8",
            normalization="NFD" if nfd else "NFC",
            timestamp_format=self.dialect.timestamp_format))
        details = {"unparseable_date": {"column": self.kind.time_column},
                   "unknown_code": {"column": self.kind.code_column,
                                    "value": "9" if self.kind is RECORDS else "KHONG_RO"},
                   "missing_id": {"column": "MaHoSo"}}
        for kind, info in details.items():
            if self.planted.get(kind):
                self.truth.add_defect(kind, "contract", self.relative, self.planted[kind], **info)
        if self.planted.get("duplicate_row"):
            self.truth.add_defect("duplicate_row", "contract", self.relative,
                                  self.planted["duplicate_row"], duplicate_of=self.duplicate_of)
        if self.planted.get("due_date_inconsistent"):
            self.truth.add_defect("due_date_inconsistent", "consistency", self.relative,
                                  self.planted["due_date_inconsistent"], column="NgayHenTra")
        if self.truncate:
            self._truncate()

    def _truncate(self) -> None:
        """An interrupted transfer: the file ends in the middle of its last line."""
        path = self.root / self.relative
        size = path.stat().st_size
        with path.open("rb+") as handle:
            handle.seek(max(0, size - (1 << 16)))
            tail = handle.read()
            start = size - len(tail)
            last_line_start = start + tail.rstrip(b"\n").rfind(b"\n") + 1
            cut = last_line_start + (size - last_line_start) // 2
            handle.truncate(cut)
        self.truth.add_defect("truncated_file", "contract", self.relative, [self.rows],
                              bytes_removed=size - cut)


# --- the stream --------------------------------------------------------------------------------


@dataclass
class StreamResult:
    dossiers: int = 0
    record_rows: int = 0
    event_rows: int = 0
    gap_missing: int = 0
    increment_dossiers: int = 0
    increment_rows: int = 0


class DossierStream:
    """Draws the windows, keeps the dossiers still open and writes what happened."""

    def __init__(self, ctx: SampleContext, cat: Catalogue, plan: DossierPlan) -> None:
        self.ctx, self.cat, self.plan = ctx, cat, plan
        self.texts = Texts.build(cat, plan)
        self.pool: list[Batch] = []
        self.sinks: dict[tuple[str, str, str], Sink] = {}
        self.result = StreamResult()
        self._seq = 0
        months = np.arange(np.datetime64(ctx.config.start, "M"),
                           np.datetime64(ctx.config.end, "M") + 1)
        self.truncated = (f"dossiers/dvcqg_sync/ho_so_{months[len(months) // 2]}.jsonl"
                          if ctx.config.defects.truncate_one_file else None)

    def dialect(self, vendor: str) -> Dialect:
        native = DIALECTS[vendor]
        if self.ctx.config.export_format == "native":
            return native
        return Dialect(".parquet", native.timestamp_format, exports_events=native.exports_events,
                       codes_as_numbers=native.codes_as_numbers,
                       exports_sync_time=native.exports_sync_time)

    def run(self, on_batch: Callable[[Dossiers], None]) -> StreamResult:
        """Every window of the sample (each new batch handed to `on_batch`), then the
        increment day if one is asked for."""
        for window in windows(self.ctx, self.plan):
            d, missing = draw_window(self.ctx, self.cat, self.plan, window)
            self.result.dossiers += len(d)
            self.result.gap_missing += missing
            on_batch(d)
            self._add(d)
            # the sample's files are the export made at the end of its last day
            self._emit(window.end, self.ctx.inbox, self.ctx.truth, monthly=True,
                       exported_at=(self.plan.last_day + 1) * DAY - 1)
            self._close(before=_month_of(window.end))
        self._close()
        if self.ctx.config.increment_dossiers:
            self._increment()
        return self.result

    def _increment(self) -> None:
        day = (self.ctx.config.end - EPOCH).days + 1
        if not self.ctx.calendar.is_working(np.array([day]))[0]:
            raise ValueError(f"the increment day {EPOCH + dt.timedelta(day)} is not a working "
                             f"day: end the sample the day before a working day")
        truth = GroundTruth(seed=self.ctx.config.seed)
        root = self.ctx.inbox / INCREMENT
        window = Window(day, day, np.array([self.ctx.config.increment_dossiers]))
        d, _ = draw_window(self.ctx, self.cat, self.plan, window)
        self.result.increment_dossiers = len(d)
        self._add(d)
        before = self.result.record_rows + self.result.event_rows
        self._emit(window.end, root, truth, monthly=False, exported_at=window.end - 1)
        self._close()
        self.result.increment_rows = self.result.record_rows + self.result.event_rows - before
        truth.write(root / "_ground_truth.json")

    def _add(self, d: Dossiers) -> None:
        self.pool.append(Batch(self._seq, d, record_changes(d), event_changes(d)))
        self._seq += 1

    def _emit(self, limit: int, root: Path, truth: GroundTruth, *, monthly: bool,
              exported_at: int) -> None:
        for kind in (RECORDS, EVENTS):
            parts: dict[int, list[tuple[pa.Table, np.ndarray, np.ndarray]]] = {}
            for batch in self.pool:
                changes = batch.records if kind is RECORDS else batch.events
                taken = changes.upto(limit)
                if taken.stop == taken.start:
                    continue
                rows = np.arange(taken.start, taken.stop)
                vendor = batch.dossiers.vendor_index[changes.who[rows]]
                for v in np.unique(vendor):
                    dialect = self.dialect(VENDORS[v])
                    if kind is EVENTS and not dialect.exports_events:
                        continue
                    mine = rows[vendor == v]
                    if kind is RECORDS:
                        table = record_table(batch.dossiers, changes, mine, dialect, self.texts,
                                             exported_at)
                    else:
                        table = event_table(batch.dossiers, changes, mine, dialect, self.texts)
                    who = changes.who[mine]
                    shifted = batch.dossiers.due_sent[who] != batch.dossiers.due[who]
                    # sort key: time, then batch, then the dossier's own order of changes
                    key = np.stack([changes.when[mine], np.full(len(mine), batch.seq),
                                    changes.rank[mine]])
                    parts.setdefault(int(v), []).append((table, shifted, key))
            for v, pieces in sorted(parts.items()):
                self._write(kind, VENDORS[v], pieces, root, truth, monthly)
        self.pool = [b for b in (batch.compact() for batch in self.pool) if b is not None]

    def _write(self, kind: Kind, vendor: str, pieces: list[tuple[pa.Table, np.ndarray,
                                                                  np.ndarray]],
               root: Path, truth: GroundTruth, monthly: bool) -> None:
        table = pa.concat_tables([p[0] for p in pieces])
        shifted = np.concatenate([p[1] for p in pieces])
        key = np.concatenate([p[2] for p in pieces], axis=1)
        order = np.lexsort((key[2], key[1], key[0]))
        when = key[0][order]
        table = table.take(pa.array(order))
        shifted = shifted[order]
        days = np.floor_divide(when, DAY).astype("datetime64[D]")
        period = days.astype("datetime64[M]") if monthly else days
        bounds = np.flatnonzero(np.r_[True, period[1:] != period[:-1], True])
        dialect = self.dialect(vendor)
        self.result.record_rows += table.num_rows if kind is RECORDS else 0
        self.result.event_rows += table.num_rows if kind is EVENTS else 0
        for lo, hi in itertools.pairwise(bounds):
            label = str(period[lo])
            relative = f"{kind.folder}/{vendor}/{kind.stem}_{label}{dialect.extension}"
            sink = self.sinks.get((kind.name, vendor, label))
            if sink is None:
                sink = Sink(relative, kind, dialect, truth, root,
                            self.ctx.rng(f"dossier-defects:{monthly}/{relative}"),
                            truncate=monthly and relative == self.truncated)
                self.sinks[(kind.name, vendor, label)] = sink
            sink.append(self.ctx, Chunk(table.slice(lo, hi - lo), shifted[lo:hi]))

    def _close(self, before: str | None = None) -> None:
        """Close the files of the months before `before` ('YYYY-MM'; all without it)."""
        for key in [k for k in self.sinks if before is None or k[2][:7] < before]:
            self.sinks.pop(key).close()


def _month_of(seconds: int) -> str:
    return str(np.datetime64(seconds // DAY, "D").astype("datetime64[M]"))
