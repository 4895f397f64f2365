"""Procedure catalogue (CSDLQG về TTHC) and the agencies of every province."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from foundation.reference import GSO34, GSO63, MERGER_DATE, provinces_gso34, provinces_gso63
from sample_generator.context import SampleContext

FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (field code, name, levels where its procedures are handled)
    ("G01", "Đất đai", ("tinh", "huyen", "xa")),
    ("G02", "Hộ tịch", ("huyen", "xa")),
    ("G03", "Chứng thực", ("huyen", "xa")),
    ("G04", "Thành lập và hoạt động doanh nghiệp", ("tinh",)),
    ("G05", "Hoạt động xây dựng", ("tinh", "huyen")),
    ("G06", "Đường bộ", ("tinh",)),
    ("G07", "Lao động", ("tinh", "huyen")),
    ("G08", "Giáo dục và Đào tạo", ("tinh", "huyen")),
    ("G09", "Khám bệnh, chữa bệnh", ("tinh",)),
    ("G10", "Văn hóa", ("tinh", "huyen")),
    ("G11", "Môi trường", ("tinh", "huyen")),
    ("G12", "Người có công", ("tinh", "huyen", "xa")),
    ("G13", "Bảo trợ xã hội", ("tinh", "huyen", "xa")),
    ("G14", "Thành lập và hoạt động hợp tác xã", ("huyen", "xa")),
    ("G15", "Lý lịch tư pháp", ("tinh",)),
    ("G16", "Nuôi con nuôi", ("tinh", "xa")),
    ("G17", "Thi đua, khen thưởng", ("tinh", "huyen", "xa")),
    ("G18", "Dược phẩm", ("tinh",)),
    ("G19", "Tài nguyên nước", ("tinh",)),
    ("G20", "Nông nghiệp", ("tinh", "huyen", "xa")),
)
ACTIONS = (
    "Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Đăng ký", "Đăng ký thay đổi",
    "Thu hồi", "Xác nhận", "Công nhận", "Thẩm định",
)
OBJECTS = (
    "giấy chứng nhận", "giấy phép", "thông tin", "hồ sơ", "quyết định",
    "chứng chỉ hành nghề", "văn bản chấp thuận", "giấy xác nhận",
)
LEVELS = ("tinh", "huyen", "xa")
# Sở (departments) every province has; districts and communes are numbered
DEPARTMENTS = (
    "Sở Tư pháp", "Sở Tài chính", "Sở Xây dựng", "Sở Công Thương", "Sở Nội vụ",
    "Sở Nông nghiệp và Môi trường", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ",
    "Ban Quản lý các khu công nghiệp",
    "Sở Dân tộc và Tôn giáo",
)


@dataclass(frozen=True)
class Catalogue:
    """What the dossier generator needs to know about procedures, as arrays."""

    code: np.ndarray
    field_code: np.ndarray
    levels: np.ndarray  # bit mask: 1 tinh, 2 huyen, 4 xa
    time_value: np.ndarray
    time_unit: np.ndarray
    online_level: np.ndarray
    fee_bearing: np.ndarray
    paper_result: np.ndarray
    popularity: np.ndarray
    population_connected: np.ndarray  # connected to the national population database


@dataclass(frozen=True)
class Agencies:
    code: np.ndarray
    province_code: np.ndarray
    code_system: np.ndarray
    level: np.ndarray


def working_windows(ctx: SampleContext, agencies: Agencies, handling: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per agency, the first and last day (days since the epoch) it exists in the sample (a
    gso63 agency until the merger, a gso34 one from it), and whether it then handles dossiers
    (`handling`: the codes of those that do)."""
    first = (ctx.config.start - EPOCH).days
    last = (ctx.config.end - EPOCH).days
    merger = (MERGER_DATE - EPOCH).days
    old = agencies.code_system == GSO63
    opens = np.where(old, first, max(first, merger))
    closes = np.where(old, min(last, merger - 1), last)
    alive = (closes >= opens) & np.isin(agencies.code, handling)
    return opens, closes, alive


def build_catalogue(ctx: SampleContext) -> Catalogue:
    rng = ctx.rng("catalogue")
    n = ctx.config.procedures
    field_idx = rng.integers(0, len(FIELDS), n)
    field_levels = np.array(
        [sum(1 << LEVELS.index(level) for level in f[2]) for f in FIELDS], dtype=np.int64
    )
    # a procedure is handled at one or more of its field's levels
    own = rng.integers(1, 8, n) & field_levels[field_idx]
    levels = np.where(own == 0, field_levels[field_idx], own)
    unit = rng.choice(["ngay_lam_viec", "ngay", "gio", "thang"], n, p=[0.8, 0.09, 0.06, 0.05])
    value = np.select(
        [unit == "ngay_lam_viec", unit == "ngay", unit == "gio", unit == "thang"],
        [
            rng.choice([1, 2, 3, 5, 7, 10, 12, 15, 20, 30], n),
            rng.choice([15, 30, 45], n),
            rng.choice([4, 8, 24], n),
            rng.choice([1, 2, 3], n),
        ],
    )
    code = np.array(
        [f"{1 if i % 3 else 2}.{rng_code:06d}" for i, rng_code in
         enumerate(rng.choice(np.arange(1000, 14000), n, replace=False))],
        dtype=object,
    )
    return Catalogue(
        code=code,
        field_code=np.array([FIELDS[i][0] for i in field_idx], dtype=object),
        levels=levels,
        time_value=value.astype(np.int64),
        time_unit=unit.astype(object),
        online_level=rng.choice(["toan_trinh", "mot_phan", "khong"], n, p=[0.4, 0.45, 0.15]).astype(
            object
        ),
        fee_bearing=rng.random(n) < 0.5,
        paper_result=rng.random(n) < 0.6,
        popularity=rng.zipf(1.6, n).clip(1, 500).astype(np.float64),
        # a stream of its own, so that the attributes above stay what they were
        population_connected=ctx.rng("catalogue-population-db").random(n) < 0.55,
    )


def write_catalogue(ctx: SampleContext, cat: Catalogue) -> None:
    rng = ctx.rng("catalogue-names")
    n = len(cat.code)
    field_names = {f[0]: f[1] for f in FIELDS}
    names = [
        f"{ACTIONS[a]} {OBJECTS[o]} {field_names[fc].lower()}"
        for a, o, fc in zip(
            rng.integers(0, len(ACTIONS), n), rng.integers(0, len(OBJECTS), n), cat.field_code,
            strict=True,
        )
    ]
    level_text = [";".join(lv for b, lv in enumerate(LEVELS) if m & (1 << b)) for m in cat.levels]
    table = pa.table(
        {
            "MaTTHC": pa.array(cat.code, pa.string()),
            "TenTTHC": names,
            "MaLinhVuc": pa.array(cat.field_code, pa.string()),
            "TenLinhVuc": [field_names[f] for f in cat.field_code],
            "CapThucHien": level_text,
            "ThoiHanGiaiQuyet": pa.array(cat.time_value),
            "DonViThoiGian": pa.array(cat.time_unit, pa.string()),
            "MucDoDVC": pa.array(cat.online_level, pa.string()),
            "CoPhiLePhi": pa.array(cat.fee_bearing.astype(np.int64)),
            "KetQuaLaGiay": pa.array(cat.paper_result.astype(np.int64)),
            "KetNoiCSDLDanCu": pa.array(cat.population_connected.astype(np.int64)),
        }
    )
    ctx.write(table, "catalogue/thu_tuc_hanh_chinh.xlsx", "procedure_catalogue",
              note="CSDLQG về TTHC export")


def build_agencies(ctx: SampleContext) -> Agencies:
    """Departments, districts (until 2025-06-30) and communes of every province."""
    rng = ctx.rng("agencies")
    rows: list[tuple[str, str, str, str, str, str]] = []
    systems: list[tuple[str, tuple, str]] = []
    if ctx.config.start < MERGER_DATE:
        systems.append((GSO63, provinces_gso63(), "2008-08-01"))
    if ctx.config.end >= MERGER_DATE:
        systems.append((GSO34, provinces_gso34(), "2025-07-01"))
    for system, provinces, valid_from in systems:
        prefix = "T63" if system == GSO63 else "T34"
        for province in provinces:
            n_dept = len(DEPARTMENTS)
            for i, dept in enumerate(DEPARTMENTS[:n_dept], start=1):
                rows.append((f"{prefix}.{province.code}.S{i:03d}", dept, "tinh", province.code,
                             system, valid_from))
            if system == GSO63:
                for i in range(1, int(rng.integers(7, 13)) + 1):
                    rows.append((f"{prefix}.{province.code}.H{i:03d}", f"UBND huyện số {i}",
                                 "huyen", province.code, system, valid_from))
            for i in range(1, int(rng.integers(8, 16)) + 1):
                rows.append((f"{prefix}.{province.code}.X{i:03d}", f"UBND xã số {i}", "xa",
                             province.code, system, valid_from))
    code, name, level, province_code, system, valid_from = (list(c) for c in zip(*rows,
                                                                                  strict=True))
    ends = {GSO63: "2025-06-30", GSO34: None}
    table = pa.table(
        {
            "MaDonVi": code,
            "TenDonVi": name,
            "CapDonVi": level,
            "MaTinh": province_code,
            "HeThongMa": system,
            "HieuLucTu": valid_from,
            "HieuLucDen": [ends[s] for s in system],
        }
    )
    ctx.write(table, "reference/agencies.csv", "agencies")
    return Agencies(
        code=np.array(code, dtype=object),
        province_code=np.array(province_code, dtype=object),
        code_system=np.array(system, dtype=object),
        level=np.array(level, dtype=object),
    )
