"""Sample PCI ranking tables, as VCCI publishes them (SPEC 2.4b).

The Provincial Competitiveness Index is not computed by chiso: VCCI publishes, each spring, the
previous year's table (province, weighted score out of 100, ten sub-indices out of 10, rank,
group), and chiso takes it as published. The sample writes that table per year as the XLSX a
steward downloads: a title row above Vietnamese headers, provinces by name (no code), sorted by
rank. The rounds are those VCCI has published by the end of the configured range (year Y comes
out in Y + 1). Thái Bình is placed as the seeds report it: 28th in 2022, up 19 places.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from foundation.reference import GSO63, Province, provinces_gso34, provinces_gso63
from sample_generator.context import SampleContext

FAMILY = "pci"
FIRST_YEAR = 2021
THAI_BINH = "34"
# SPEC 7 / seed 004: PCI 2022 Thái Bình 28/63, up 19 on 2021
RANK_TARGETS = {2021: {THAI_BINH: 47}, 2022: {THAI_BINH: 28}}
SUB_INDICES = (  # header as VCCI prints it, the sample's weight in the total (shares of 100)
    ("Gia nhập thị trường", 5.0),
    ("Tiếp cận đất đai", 5.0),
    ("Tính minh bạch", 20.0),
    ("Chi phí thời gian", 5.0),
    ("Chi phí không chính thức", 10.0),
    ("Cạnh tranh bình đẳng", 5.0),
    ("Tính năng động", 5.0),
    ("Dịch vụ hỗ trợ doanh nghiệp", 20.0),
    ("Đào tạo lao động", 20.0),
    ("Thiết chế pháp lý và an ninh trật tự", 5.0),
)
# the sample's groups by score; VCCI's own boundaries are not in our sources (the warehouse
# takes whatever group the table prints)
GROUPS = ((70.0, "Rất tốt"), (65.0, "Tốt"), (62.0, "Khá"), (60.0, "Trung bình"),
          (58.0, "Tương đối thấp"), (0.0, "Thấp"))


def years(ctx: SampleContext) -> list[int]:
    """The rounds published by the end of the range: year Y appears in Y + 1."""
    return list(range(FIRST_YEAR, ctx.config.end.year))


def generate(ctx: SampleContext) -> dict[int, dict[str, tuple[float, int]]]:
    """Write each year's table; returns (total, rank) per province code and year."""
    return {year: _write_year(ctx, year) for year in years(ctx)}


def press_name(province: Province) -> str:
    """The name VCCI's table prints: the short name; Thừa Thiên Huế by its full name."""
    return province.name if province.code == "46" and province.code_system == GSO63 \
        else province.short_name


def _write_year(ctx: SampleContext, year: int) -> dict[str, tuple[float, int]]:
    provinces = provinces_gso63() if year < 2025 else provinces_gso34()
    rng = ctx.rng(f"pci.{year}")
    level = _levels(ctx, provinces) + rng.normal(0.0, 0.35, len(provinces))
    weights = np.array([w for _, w in SUB_INDICES])
    centre = np.array([7.2, 6.6, 6.2, 7.0, 6.9, 5.6, 6.4, 5.9, 6.2, 6.8])
    sub = np.clip(centre + 0.45 * level[:, None] + rng.normal(0.0, 0.55, (len(provinces), 10)),
                  1.0, 9.9)
    codes = [p.code for p in provinces]
    for code, rank in RANK_TARGETS.get(year, {}).items():
        if code in codes:
            sub = _place(sub, weights, codes.index(code), rank)
    # VCCI rounds the total and each sub-index on their own (no one recomputes the total)
    total = np.round(sub @ weights / 10.0, 2)
    sub = np.round(sub, 2)
    ranks = np.array([1 + int((total > t).sum()) for t in total])  # equal totals share a rank
    order = np.lexsort((codes, ranks))
    table = pa.table({
        "Năm": pa.array([year] * len(provinces), pa.int64()),
        "Xếp hạng": pa.array(ranks[order], pa.int64()),
        "Tỉnh, thành phố": [press_name(provinces[i]) for i in order],
        "Điểm PCI": pa.array(total[order]),
        **{name: pa.array(sub[order, k]) for k, (name, _) in enumerate(SUB_INDICES)},
        "Nhóm": [next(g for floor, g in GROUPS if total[i] >= floor) for i in order],
    })
    ctx.write(table, f"pci/PCI_{year}_bang_xep_hang.xlsx", FAMILY,
              title=f"BẢNG XẾP HẠNG CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH (PCI) NĂM {year}",
              note="VCCI's published PCI table: a title row, Vietnamese headers, provinces by "
                   "name; ingested as published, never recomputed")
    return {codes[i]: (float(total[i]), int(ranks[i])) for i in range(len(provinces))}


def _levels(ctx: SampleContext, provinces: tuple[Province, ...]) -> np.ndarray:
    """A level per province that persists across years (a new province: its predecessors')."""
    old = provinces_gso63()
    base = dict(zip((p.code for p in old),
                    ctx.rng("pci.province_levels").normal(0.0, 1.0, len(old)), strict=True))
    if provinces[0].code_system == GSO63:
        return np.array([base[p.code] for p in provinces])
    return np.array([np.mean([base[o.code] for o in old if o.successor_code == p.code])
                     for p in provinces])


def _place(sub: np.ndarray, weights: np.ndarray, p: int, rank: int) -> np.ndarray:
    """Move one province's sub-indices by a common amount so that its total falls midway
    between the provinces that will rank rank−1 and rank (the total is linear in the shift);
    the provinces below that come within 0.1 of the one above are first moved down, so that
    rounding to two decimals cannot tie them."""
    out = sub.copy()
    per_point = weights.sum() / 10.0  # total change per point added to every sub-index
    total = out @ weights / 10.0
    others = np.delete(np.arange(len(total)), p)
    ranked = others[np.argsort(-total[others], kind="stable")]
    upper = total[ranked[rank - 2]] if rank >= 2 else total[ranked[0]] + 1.0
    for q in ranked[rank - 1:]:
        if total[q] > upper - 0.1:
            out[q] -= (total[q] - (upper - 0.1)) / per_point
    lower = max((out @ weights / 10.0)[ranked[rank - 1:]])
    out[p] += ((upper + lower) / 2 - total[p]) / per_point
    return out
