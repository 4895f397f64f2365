"""Sample PAR INDEX exports: the methodology, provincial scores per year, and one province's
own internal index of its departments and districts.

Totals per province are planned first and calibrated to the published facts (SPEC 7). The
survey criteria are not drawn here: their points follow from that year's SIPAS and officials'
survey as the warehouse computes them (``max_points × index / 100``, rounded to the cent), and
the appraised criteria take the rest: they lose points in steps of 0.25 the way appraisal
councils score, the rate-based criteria (on-time and online shares) absorb the last cents, so
every total the warehouse computes is the planned one exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from foundation.reference import GSO63, Province, provinces_gso34, provinces_gso63
from sample_generator.context import SampleContext

if TYPE_CHECKING:
    from sample_generator.surveys import SurveyResults

FAMILY = "par_index"
METHODOLOGY = "876/QĐ-BNV"
METHODOLOGY_FILE = "par_index/methodology_876-QD-BNV.csv"
# the 2021 round was scored under 1150/QĐ-BNV (2020); the sample reuses the 876 structure for it
EARLIER_METHODOLOGY = "1150/QĐ-BNV"
EARLIER_METHODOLOGY_FILE = "par_index/methodology_1150-QD-BNV.csv"
APPRAISED, SURVEY = "tham_dinh", "dieu_tra_xhh"
FIRST_YEAR = 2021  # first round of the sample: changes exist from 2022 on
FIRST_876_YEAR = 2022  # first round under 876/QĐ-BNV
UNIT = 25  # appraisal councils score in quarter points (25 hundredths)
APPROXIMATE = "approximate: maximum points not confirmed against the decision text"

PAR_FIELDS = {
    1: "Công tác chỉ đạo, điều hành cải cách hành chính",
    2: "Cải cách thể chế",
    3: "Cải cách thủ tục hành chính",
    4: "Cải cách tổ chức bộ máy hành chính nhà nước",
    5: "Cải cách chế độ công vụ",
    6: "Cải cách tài chính công",
    7: "Xây dựng chính quyền điện tử, chính quyền số",
    8: "Tác động của cải cách hành chính",
}


@dataclass(frozen=True)
class Criterion:
    code: str  # field.criterion or field.criterion.sub-criterion; only scored leaves are listed
    name: str
    max_points: float
    source: str

    @property
    def field(self) -> int:
        return int(self.code.split(".")[0])

    @property
    def parent(self) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:2]) if len(parts) == 3 else None


def _c(code: str, name: str, max_points: float, source: str = APPRAISED) -> Criterion:
    return Criterion(code, name, max_points, source)


# 100 points: 67 appraised, 33 from the sociological surveys (officials' survey and SIPAS)
CRITERIA = (
    _c("1.1.1", "Ban hành kế hoạch CCHC năm kịp thời", 0.5),
    _c("1.1.2", "Mức độ thực hiện kế hoạch CCHC năm", 1.5),
    _c("1.2", "Thực hiện chế độ báo cáo CCHC", 1.0),
    _c("1.3", "Kiểm tra công tác CCHC", 1.5),
    _c("1.4", "Công tác thông tin, tuyên truyền CCHC", 1.0),
    _c("1.5", "Sáng kiến, giải pháp mới trong CCHC", 1.0),
    _c("1.6", "Đánh giá của lãnh đạo, quản lý về công tác chỉ đạo, điều hành", 2.5, SURVEY),
    _c("2.1.1", "Thực hiện kế hoạch xây dựng văn bản QPPL", 1.0),
    _c("2.1.2", "Ban hành văn bản QPPL đúng quy trình", 1.0),
    _c("2.2", "Rà soát, hệ thống hóa văn bản QPPL", 1.5),
    _c("2.3", "Kiểm tra, xử lý văn bản QPPL", 1.5),
    _c("2.4", "Theo dõi thi hành pháp luật", 1.5),
    _c("2.5", "Đánh giá về chất lượng văn bản QPPL của tỉnh", 2.5, SURVEY),
    _c("3.1", "Kiểm soát thủ tục hành chính", 2.0),
    _c("3.2.1", "Công bố danh mục TTHC kịp thời", 1.0),
    _c("3.2.2", "Công khai TTHC trên Cơ sở dữ liệu quốc gia", 1.5),
    _c("3.3.1", "Tỷ lệ hồ sơ giải quyết đúng hạn cấp tỉnh", 1.0),
    _c("3.3.2", "Tỷ lệ hồ sơ giải quyết đúng hạn cấp huyện", 0.75),
    _c("3.3.3", "Tỷ lệ hồ sơ giải quyết đúng hạn cấp xã", 0.75),
    _c("3.4", "Tiếp nhận, xử lý phản ánh, kiến nghị về TTHC", 2.0),
    _c("3.5", "Đánh giá về cải cách thủ tục hành chính", 4.0, SURVEY),
    _c("4.1", "Sắp xếp tổ chức bộ máy hành chính", 2.0),
    _c("4.2", "Quản lý, sử dụng biên chế", 2.0),
    _c("4.3", "Thực hiện phân cấp quản lý", 2.0),
    _c("4.4", "Đánh giá về tổ chức bộ máy", 3.0, SURVEY),
    _c("5.1", "Thực hiện vị trí việc làm", 2.0),
    _c("5.2", "Tuyển dụng công chức, viên chức", 1.5),
    _c("5.3", "Đánh giá, xếp loại cán bộ, công chức, viên chức", 1.5),
    _c("5.4", "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức", 1.5),
    _c("5.5", "Kỷ luật, kỷ cương hành chính", 1.0),
    _c("5.6", "Đánh giá về chế độ công vụ", 3.5, SURVEY),
    _c("6.1", "Quản lý, sử dụng kinh phí ngân sách", 2.0),
    _c("6.2", "Giải ngân kế hoạch vốn đầu tư công", 2.0),
    _c("6.3", "Cơ chế tự chủ của đơn vị sự nghiệp công lập", 2.0),
    _c("6.4", "Thực hiện kiến nghị sau thanh tra, kiểm toán", 1.5),
    _c("6.5", "Đánh giá về cải cách tài chính công", 3.5, SURVEY),
    _c("7.1", "Hạ tầng, nền tảng số", 2.0),
    _c("7.2.1", "Gửi, nhận văn bản điện tử", 1.0),
    _c("7.2.2", "Xử lý hồ sơ công việc trên môi trường mạng", 1.0),
    _c("7.3.1", "Tỷ lệ hồ sơ trực tuyến toàn trình", 1.5),
    _c("7.3.2", "Tỷ lệ thanh toán trực tuyến", 0.75),
    _c("7.3.3", "Số hóa hồ sơ, kết quả giải quyết TTHC", 0.75),
    _c("7.4", "Kết nối, chia sẻ dữ liệu", 1.5),
    _c("7.5", "Bảo đảm an toàn thông tin mạng", 1.5),
    _c("7.6", "Đánh giá về chính quyền điện tử, chính quyền số", 3.0, SURVEY),
    _c("8.1", "Chỉ số hài lòng của người dân, tổ chức (SIPAS)", 8.0, SURVEY),
    _c("8.2", "Thu hút đầu tư", 3.0),
    _c("8.3", "Thực hiện chỉ tiêu thu ngân sách", 3.0),
    _c("8.4", "Tăng trưởng GRDP", 3.0),
    _c("8.5", "Thực hiện chỉ tiêu giảm nghèo", 2.5),
    _c("8.6", "Thực hiện chỉ tiêu phát triển kinh tế - xã hội khác", 2.5),
    _c("8.7", "Đánh giá của lãnh đạo, quản lý về tác động của CCHC", 3.0, SURVEY),
)
SIPAS_CRITERION = "8.1"  # SIPAS overall index × 8 points; each field's other survey criterion
# takes the officials' survey index of that field (seed indices/par_survey_criteria.csv)
RATE_CRITERIA = ("3.3.1", "3.3.2", "3.3.3", "7.3.1", "7.3.2", "7.3.3")  # points in cents


def officials_survey_maxima() -> np.ndarray:
    """Maximum points of the officials'-survey criterion of each field 1..8."""
    out = np.zeros(8)
    for c in CRITERIA:
        if c.source == SURVEY and c.code != SIPAS_CRITERION:
            out[c.field - 1] += c.max_points
    return out


def planned_survey_points(total_cents: int) -> float:
    """Survey points a province with this planned total should get, so the appraised part
    (67 points) loses about 60% of the deficit and the surveys the rest."""
    return 0.4 * total_cents / 100 - 7.0


def survey_points_cents(max_points: float, index: float) -> int:
    """``round(max_points × index / 100, 2)`` half up, as the warehouse rounds it."""
    value = Decimal(repr(max_points * index / 100)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return int(value.quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


PARENT_NAMES = {
    "1.1": "Kế hoạch CCHC năm",
    "2.1": "Xây dựng, ban hành văn bản QPPL",
    "3.2": "Công khai thủ tục hành chính",
    "3.3": "Thực hiện cơ chế một cửa, một cửa liên thông",
    "7.2": "Xử lý văn bản, hồ sơ công việc trên môi trường mạng",
    "7.3": "Cung cấp dịch vụ công trực tuyến",
}


@dataclass(frozen=True)
class YearPlan:
    """How one year's totals are calibrated: value anchors by rank, pinned provinces' ranks,
    the national mean (hundredths of a point) and where the lowest total may fall."""

    anchors: dict[int, int]
    pins: dict[str, int]
    mean: int
    last_bounds: tuple[int, int]
    bottom: tuple[str, ...] = ()  # provinces that must rank in the last `bottom_size` places
    bottom_size: int = 0


HAI_PHONG, DAK_NONG, KON_TUM, THAI_BINH, NAM_DINH = "31", "67", "62", "34", "36"
FACT_YEARS = (2021, 2022, 2023, 2024)  # rounds whose published facts the sample reproduces
TAY_NGUYEN_OTHERS = ("64", "66", "68")  # Gia Lai, Đắk Lắk, Lâm Đồng: below Đắk Nông in 2024


def _plan(year: int, rng: np.random.Generator) -> YearPlan:
    """Published facts (SPEC 7) where there are any; plausible values elsewhere."""
    if year == 2024:
        # 13 in band A (>= 90) and 50 in band B; Hải Phòng 96.17 first; Đắk Nông 86.6 rank 50,
        # Kon Tum 88.27 first in Tây Nguyên; national mean 88.37
        kon_tum_rank = int(rng.integers(28, 35))
        return YearPlan(
            anchors={1: 9617, 13: 9000 + int(rng.integers(5, 40)),
                     14: 9000 - int(rng.integers(5, 40)), kon_tum_rank: 8827, 50: 8660},
            pins={HAI_PHONG: 1, KON_TUM: kon_tum_rank, DAK_NONG: 50},
            mean=8837, last_bounds=(8050, 8600), bottom=TAY_NGUYEN_OTHERS, bottom_size=13)
    if year == 2023:
        # mean 86.98; Đắk Nông 85.42 rank 51 (86.6 in 2024 was +1.18 points and +1 place)
        # a mean that close to the 51st value means most provinces cluster at 86-89
        return YearPlan(anchors={1: int(rng.integers(9200, 9330)),
                                 6: 9000 + int(rng.integers(10, 50)),
                                 20: 8800 + int(rng.integers(-20, 20)), 51: 8542},
                        pins={DAK_NONG: 51}, mean=8698, last_bounds=(7800, 8530))
    if year == 2022:
        # Thái Bình 43/63 (SPEC 7); the national mean is not a published fact here
        return YearPlan(anchors={1: int(rng.integers(9150, 9300))}, pins={THAI_BINH: 43},
                        mean=8570, last_bounds=(7400, 8300))
    if year == 2021:
        # Thái Bình 50/63: 43rd in 2022 was "up 7 places"
        return YearPlan(anchors={1: int(rng.integers(9050, 9200))}, pins={THAI_BINH: 50},
                        mean=8450, last_bounds=(7300, 8200))
    return YearPlan(anchors={1: int(rng.integers(9450, 9650))}, pins={}, mean=8890,
                    last_bounds=(8000, 8700))


def par_years(ctx: SampleContext) -> list[int]:
    return list(range(FIRST_YEAR, max(ctx.config.end.year, FIRST_YEAR) + 1))


def plan_totals(ctx: SampleContext) -> dict[int, dict[str, int]]:
    """Each year's planned total per province, in hundredths of a point."""
    years = par_years(ctx)
    base = _base_levels(ctx, years)
    out: dict[int, dict[str, int]] = {}
    for year in years:
        codes = [p.code for p in provinces_for(year)]
        rng = ctx.rng(f"par_index.plan.{year}")
        out[year] = _year_totals(rng, codes, base[year], _plan(year, rng))
    return out


def generate(ctx: SampleContext, totals: dict[int, dict[str, int]],
             surveys: SurveyResults) -> None:
    _write_methodology(ctx)
    tables: dict[int, pa.Table] = {}
    plans: dict[int, YearPlan] = {}
    for year, planned in totals.items():
        codes = list(planned)
        rng = ctx.rng(f"par_index.scores.{year}")
        plans[year] = _plan(year, ctx.rng(f"par_index.plan.{year}"))
        survey_cents = _survey_cents(codes, surveys.sipas.get(year, {}),
                                     surveys.officials.get(year, {}))
        tables[year] = _score_table(rng, year, codes, planned, survey_cents)
    _inject_above_max(ctx, tables, plans, totals)
    for year, table in tables.items():
        version = METHODOLOGY if year >= FIRST_876_YEAR else EARLIER_METHODOLOGY
        ctx.write(table, f"par_index/scores_{year}.csv", FAMILY,
                  note=f"PAR INDEX {year}, scored leaves of {version}; survey criteria left "
                       "empty (computed from the year's surveys)")
    for year in (2023, 2024):
        if year in totals:
            _write_internal(ctx, year)


def _survey_cents(codes: list[str], sipas: dict[str, float],
                  officials: dict[str, np.ndarray]) -> np.ndarray:
    """Survey points (hundredths) per province and survey criterion, in CRITERIA order."""
    survey = [c for c in CRITERIA if c.source == SURVEY]
    out = np.zeros((len(codes), len(survey)), dtype=np.int64)
    for i, code in enumerate(codes):  # ~63 provinces × 9 criteria
        for j, c in enumerate(survey):
            if c.code == SIPAS_CRITERION:
                index = sipas.get(code, 80.0)
            else:
                fields = officials.get(code)
                index = float(fields[c.field - 1]) if fields is not None else 80.0
            out[i, j] = survey_points_cents(c.max_points, index)
    return out


# --- methodology ------------------------------------------------------------------------------


def _write_methodology(ctx: SampleContext) -> None:
    versions = [(METHODOLOGY, FIRST_876_YEAR, 2030, METHODOLOGY_FILE, APPROXIMATE)]
    if FIRST_YEAR < FIRST_876_YEAR:
        versions.append((EARLIER_METHODOLOGY, 2020, FIRST_876_YEAR - 1, EARLIER_METHODOLOGY_FILE,
                         "approximate: the sample reuses the 876/QĐ-BNV criteria for this "
                         "decision; not its real criteria"))
    n = len(CRITERIA)
    for version, first, last, path, note in versions:
        table = pa.table({
            "methodology_version": [version] * n,
            "valid_from_year": pa.array([first] * n, pa.int64()),
            "valid_to_year": pa.array([last] * n, pa.int64()),
            "field_code": pa.array([c.field for c in CRITERIA], pa.int64()),
            "field_name": [PAR_FIELDS[c.field] for c in CRITERIA],
            "criterion_code": [c.code for c in CRITERIA],
            "parent_code": [c.parent for c in CRITERIA],
            "parent_name": [PARENT_NAMES.get(c.parent or "") for c in CRITERIA],
            "criterion_name": [c.name for c in CRITERIA],
            "max_points": pa.array([c.max_points for c in CRITERIA], pa.float64()),
            "source": [c.source for c in CRITERIA],
            "note": [note] * n,
        })
        ctx.write(table, path, FAMILY,
                  note="one row per scored leaf; max_points of the leaves sum to 100")


# --- totals -----------------------------------------------------------------------------------


def _base_levels(ctx: SampleContext, years: list[int]) -> dict[int, dict[str, float]]:
    """A persistent standing per province plus yearly moves: most move a few places, a few
    jump far (the "tăng 27 bậc" stories). gso34 units inherit their predecessors' mean."""
    rng = ctx.rng("par_index.base")
    old = provinces_gso63()
    codes = [p.code for p in old]
    standing = dict(zip(codes, rng.normal(0.0, 1.0, len(codes)), strict=True))
    # the 2024 facts need these standings; set them so other years agree with 2024 too
    standing[HAI_PHONG] = max(standing.values()) + 0.5
    standing[KON_TUM] = 0.0
    standing[DAK_NONG] = -0.75
    for code in TAY_NGUYEN_OTHERS:
        standing[code] = min(standing[code], -1.2)
    out: dict[int, dict[str, float]] = {}
    for year in years:
        moves = rng.normal(0.0, 0.22, len(codes))
        jumpers = rng.choice(len(codes), 3, replace=False)
        moves[jumpers] += rng.choice([-1.5, 1.5], 3)
        levels = {c: standing[c] + m for c, m in zip(codes, moves, strict=True)}
        if year > 2024:
            new = provinces_gso34()
            drift = rng.normal(0.0, 0.3, len(new))
            levels = {p.code: float(np.mean([levels[o.code] for o in old
                                             if o.successor_code == p.code])) + d
                      for p, d in zip(new, drift, strict=True)}
        out[year] = levels
    return out


def _year_totals(rng: np.random.Generator, codes: list[str], base: dict[str, float],
                 plan: YearPlan) -> dict[str, int]:
    """Totals in hundredths of a point, strictly decreasing by rank, through the plan's anchors,
    with the plan's mean exactly."""
    n = len(codes)
    # order: pinned provinces at their ranks; everyone else by this year's standing
    free = sorted((c for c in codes if c not in plan.pins), key=lambda c: -base[c])
    if plan.bottom:
        others = [c for c in free if c not in plan.bottom]
        keep = len(others) - (plan.bottom_size - len(plan.bottom))
        free = others[:keep] + sorted(others[keep:] + list(plan.bottom), key=lambda c: -base[c])
    order: list[str | None] = [None] * n
    for code, rank in plan.pins.items():
        order[rank - 1] = code
    slots = iter(free)
    order = [c if c is not None else next(slots) for c in order]

    # shape between anchors: half the natural spacing of standings, half even spacing
    z = np.sort(np.array([base[c] for c in codes]))[::-1]
    shape = 0.5 * (z - z[-1]) / (z[0] - z[-1]) + 0.5 * np.linspace(1.0, 0.0, n)

    def values(last: float) -> np.ndarray:
        anchors = dict(sorted((plan.anchors | {n: last}).items()))
        ranks = np.array(list(anchors)) - 1
        out = np.empty(n)
        for a, b in itertools.pairwise(ranks):  # a few segments
            t = (shape[a:b + 1] - shape[b]) / (shape[a] - shape[b])
            out[a:b + 1] = anchors[b + 1] + t * (anchors[a + 1] - anchors[b + 1])
        return out

    # the mean is linear in the lowest total: solve for it
    s0, s1 = values(0.0).sum(), values(1.0).sum()
    last = np.clip((plan.mean * n - s0) / (s1 - s0), *plan.last_bounds)
    cents = np.round(values(float(last))).astype(np.int64)
    cents = _strictly_decreasing(cents, set(plan.anchors) - {n})
    cents = _fix_sum(cents, plan.mean * n, set(plan.anchors) | {1})
    return dict(zip(order, (int(v) for v in cents), strict=True))


def _strictly_decreasing(cents: np.ndarray, fixed: set[int]) -> np.ndarray:
    """No ties: each rank at least a hundredth below the one above, anchors untouched."""
    out = cents.copy()
    for i in range(1, len(out)):  # one pass over ~63 ranks
        if i + 1 not in fixed and out[i] >= out[i - 1]:
            out[i] = out[i - 1] - 1
    return out


def _fix_sum(cents: np.ndarray, target: int, fixed: set[int]) -> np.ndarray:
    """Move free ranks by a hundredth at a time until the sum is exact, keeping strict order."""
    out = cents.copy()
    diff = int(target - out.sum())
    step = 1 if diff > 0 else -1
    for _ in range(10 * len(out)):  # bounded: each pass moves at least one rank
        if diff == 0:
            break
        for i in range(len(out)):
            if diff == 0:
                break
            if i + 1 in fixed:
                continue
            upper = out[i - 1] if i > 0 else 10_000
            lower = out[i + 1] if i + 1 < len(out) else 0
            if lower < out[i] + step < upper:
                out[i] += step
                diff -= step
    return out


# --- criteria ---------------------------------------------------------------------------------


def _spread(rng: np.random.Generator, units: np.ndarray, weights: np.ndarray, caps: np.ndarray
            ) -> np.ndarray:
    """Split units[i] over the columns of row i in proportion to weights, never above caps."""
    out = np.zeros_like(caps)
    remaining = units.astype(np.int64).copy()
    for attempt in range(100):  # converges in a few rounds; caps rarely bind
        if not remaining.any():
            break
        room = caps - out
        w = np.where(room > 0, weights + (0.05 if attempt else 0.0), 0.0)
        total = w.sum(axis=1, keepdims=True)
        p = np.divide(w, total, out=np.full_like(w, 1.0 / w.shape[1]), where=total > 0)
        take = np.minimum(rng.multinomial(remaining, p), room)
        out += take
        remaining -= take.sum(axis=1)
    if remaining.any():
        raise ValueError("cannot spread the deficit within the criteria's maxima")
    return out


def _split(rng: np.random.Generator, totals: np.ndarray, criteria: tuple[Criterion, ...]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Points per unit and criterion (hundredths) summing exactly to each unit's total, and
    the self-assessed points (hundredths; -1 where the criterion is not self-assessed)."""
    n = len(totals)
    max_c = np.array([round(c.max_points * 100) for c in criteria], dtype=np.int64)
    appraised = np.array([c.source == APPRAISED for c in criteria])
    deficit = max_c.sum() - totals
    # appraisal loses 50–75% of the deficit, in quarter points; surveys lose the rest
    units = np.floor(deficit * rng.uniform(0.5, 0.75, n) / UNIT).astype(np.int64)
    units = np.minimum(units, max_c[appraised].sum() // UNIT)
    survey_loss = deficit - units * UNIT

    # some criteria are hard everywhere; ~45% of appraised cells get full marks
    difficulty = rng.gamma(2.0, 1.0, appraised.sum())
    w = max_c[appraised] * difficulty * rng.gamma(2.0, 1.0, (n, appraised.sum()))
    w *= rng.random((n, appraised.sum())) > 0.45
    lost_units = _spread(rng, units, w, np.broadcast_to(max_c[appraised] // UNIT, w.shape).copy())
    ws = max_c[~appraised] * rng.gamma(4.0, 1.0, (n, (~appraised).sum()))
    lost_survey = _spread(rng, survey_loss, ws, np.broadcast_to(max_c[~appraised], ws.shape).copy())

    points = np.broadcast_to(max_c, (n, len(criteria))).copy()
    points[:, appraised] -= lost_units * UNIT
    points[:, ~appraised] -= lost_survey

    # self-assessment claims more than the council grants on half the cells that lost points
    claimed = np.where(rng.random(lost_units.shape) < 0.5,
                       np.minimum(rng.integers(1, 4, lost_units.shape), lost_units), 0)
    modest = (rng.random(lost_units.shape) < 0.03) & (points[:, appraised] >= UNIT)
    self_points = np.full_like(points, -1)
    self_points[:, appraised] = points[:, appraised] + (claimed - modest) * UNIT
    return points, self_points


DOC_TYPES = np.array(["BC-UBND", "KH-UBND", "QĐ-UBND", "CV-UBND", "BC-SNV", "TB-SNV"])


def _evidence(rng: np.random.Generator, appraised: np.ndarray) -> pa.Array:
    """Document numbers like "123/BC-UBND" for appraised criteria; none for survey points."""
    numbers = rng.integers(1, 3500, len(appraised)).astype(np.str_)
    refs = np.strings.add(np.strings.add(numbers, "/"), rng.choice(DOC_TYPES, len(appraised)))
    return pa.array(refs, mask=~appraised)


def _split_appraised(rng: np.random.Generator, appraised_cents: np.ndarray,
                     criteria: tuple[Criterion, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Appraised points per unit and appraised criterion (hundredths) summing exactly to each
    unit's appraised total: quarter points lost over the criteria, the last cents off a
    rate-based criterion; and the self-assessed points (claims above what the council gave)."""
    n = len(appraised_cents)
    max_c = np.array([round(c.max_points * 100) for c in criteria], dtype=np.int64)
    deficit = np.clip(max_c.sum() - appraised_cents, 0, max_c.sum())
    units, cents = deficit // UNIT, deficit % UNIT
    difficulty = rng.gamma(2.0, 1.0, len(criteria))
    w = max_c * difficulty * rng.gamma(2.0, 1.0, (n, len(criteria)))
    w *= rng.random((n, len(criteria))) > 0.45
    lost_units = _spread(rng, units, w, np.broadcast_to(max_c // UNIT, w.shape).copy())
    points = max_c - lost_units * UNIT
    rate = np.array([c.code in RATE_CRITERIA for c in criteria])
    for i in np.flatnonzero(cents):  # the last cents of each unit, off its fullest rate cell
        room = np.where(rate, points[i], -1)
        j = int(np.argmax(room)) if room.max() >= cents[i] else int(np.argmax(points[i]))
        points[i, j] -= cents[i]
        lost_units[i, j] += 1  # the cell lost points, so it may carry a higher claim
    claimed = np.where(rng.random(lost_units.shape) < 0.5,
                       np.minimum(rng.integers(1, 4, lost_units.shape), lost_units), 0)
    modest = (rng.random(lost_units.shape) < 0.03) & (points >= UNIT)
    self_points = np.minimum(points + (claimed - modest) * UNIT, max_c)
    return points, self_points


def _score_table(rng: np.random.Generator, year: int, codes: list[str], totals: dict[str, int],
                 survey_cents: np.ndarray) -> pa.Table:
    """The year's score sheet: appraised criteria scored; survey criteria listed empty, their
    points are the warehouse's to compute from the surveys."""
    appraised_criteria = tuple(c for c in CRITERIA if c.source == APPRAISED)
    target = np.array([totals[c] for c in codes]) - survey_cents.sum(axis=1)
    points, self_points = _split_appraised(rng, target, appraised_criteria)
    n_c, n_u = len(CRITERIA), len(codes)
    is_appraised = np.array([c.source == APPRAISED for c in CRITERIA])
    full = np.full((n_u, n_c), -1, dtype=np.int64)
    full_self = full.copy()
    full[:, is_appraised] = points
    full_self[:, is_appraised] = self_points
    flat, flat_self = full.ravel(), full_self.ravel()
    return pa.table({
        "year": pa.array(np.full(n_u * n_c, year)),
        "MaTinh": pa.array(np.repeat(codes, n_c)),
        "criterion_code": pa.array(np.tile([c.code for c in CRITERIA], n_u)),
        "max_points": pa.array(np.tile([c.max_points for c in CRITERIA], n_u)),
        "self_assessed_points": pa.array(flat_self / 100, mask=flat_self < 0),
        "appraised_points": pa.array(flat / 100, mask=flat < 0),
        "evidence_ref": _evidence(rng, np.tile(is_appraised, n_u)),
    })


def _inject_above_max(ctx: SampleContext, tables: dict[int, pa.Table],
                      plans: dict[int, YearPlan], totals: dict[int, dict[str, int]]) -> None:
    """Appraised points above the maximum (a slipped decimal, a wrong sub-total).

    Only cells that truly had full marks are corrupted, so capping at the maximum restores the
    true value; and only in years without published facts to match (not 2021–2024: a score
    above its maximum stops its year's index in the warehouse), in provinces ranked below every
    pinned rank.
    """
    count = ctx.config.defects.par_above_max_count
    if count <= 0:
        return
    rng = ctx.rng("par_index.above_max")
    years = [y for y in tables if y not in FACT_YEARS] or list(tables)
    candidates: list[tuple[int, int]] = []
    for year in years:  # a few years
        table = tables[year]
        codes = table.column("MaTinh").to_numpy(zero_copy_only=False)
        ranked = sorted(totals[year], key=lambda c: -totals[year][c])
        eligible = set(ranked[max(plans[year].pins.values(), default=0):])
        points = table.column("appraised_points").to_numpy(zero_copy_only=False)
        full = points == table.column("max_points").to_numpy()
        self_ok = ~table.column("self_assessed_points").is_null().to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(full & self_ok & np.isin(codes, list(eligible)))
        candidates += [(year, int(r)) for r in rows]
    if not candidates:
        return
    picks = rng.choice(len(candidates), min(count, len(candidates)), replace=False)
    for pick in sorted(picks):
        year, row = candidates[pick]
        table = tables[year]
        max_points = float(table.column("max_points")[row].as_py())
        slip = rng.random() < 0.5
        wrong = round(max_points * 10 if slip else max_points + float(rng.choice([0.25, 0.5, 1.0])),
                      2)
        column = table.column("appraised_points").combine_chunks()
        values = column.to_numpy(zero_copy_only=False).copy()
        values[row] = wrong
        index = table.column_names.index("appraised_points")
        tables[year] = table.set_column(index, "appraised_points",
                                        pa.array(values, mask=column.is_null().to_numpy(
                                            zero_copy_only=False)))
        ctx.truth.add_defect(
            "par_score_above_max", "consistency", f"par_index/scores_{year}.csv", [row + 1],
            year=year, province_code=table.column("MaTinh")[row].as_py(),
            code_system=GSO63 if year <= 2024 else "gso34",
            criterion_code=table.column("criterion_code")[row].as_py(),
            max_points=max_points, appraised_points=wrong, true_points=max_points)


# --- a province's own index (Nam Định 2024) ---------------------------------------------------

INTERNAL_FILE = f"par_index/internal_methodology_{NAM_DINH}.csv"
DEPARTMENTS = (
    ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"), ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"), ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"), ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"), ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"), ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SYT", "Sở Y tế"), ("TTT", "Thanh tra tỉnh"),
    ("VPUBND", "Văn phòng UBND tỉnh"), ("BQLKCN", "Ban Quản lý các khu công nghiệp"),
)
DISTRICTS = (
    ("356", "Thành phố Nam Định"), ("358", "Huyện Mỹ Lộc"), ("359", "Huyện Vụ Bản"),
    ("360", "Huyện Ý Yên"), ("361", "Huyện Nghĩa Hưng"), ("362", "Huyện Nam Trực"),
    ("363", "Huyện Trực Ninh"), ("364", "Huyện Xuân Trường"), ("365", "Huyện Giao Thủy"),
    ("366", "Huyện Hải Hậu"),
)
# published means of Nam Định's 2024 internal index (points, sd in hundredths): departments
# 84.8, up 8.04% on 2023, districts 91.93, up 7.05%. 2023 means: 84.8 / 1.0804 = 78.49
# (84.8 / 78.49 = 1.08039); 91.93 / 1.0705 = 85.876 (10 districts allow thousandths;
# 91.93 / 85.876 = 1.07050, while 85.88 would read 7.04%)
INTERNAL_MEANS = {2024: {"so_nganh": (84.8, 400), "huyen": (91.93, 250)},
                  2023: {"so_nganh": (78.49, 450), "huyen": (85.876, 300)}}
INTERNAL_FIRST_YEAR = 2023


def internal_criteria(block: str) -> tuple[Criterion, ...]:
    """The provincial criteria collapsed to field.criterion; departments swap the province's
    socio-economic targets (8.2–8.6) for task completion and sector impact."""
    grouped: dict[str, Criterion] = {}
    for c in CRITERIA:
        key = c.parent or c.code
        name = PARENT_NAMES.get(key, c.name)
        points = grouped[key].max_points + c.max_points if key in grouped else c.max_points
        grouped[key] = Criterion(key, name, points, c.source)
    criteria = list(grouped.values())
    if block == "so_nganh":
        criteria = [c for c in criteria if c.code not in ("8.2", "8.3", "8.4", "8.5", "8.6")]
        criteria += [_c("8.2", "Mức độ hoàn thành nhiệm vụ được giao", 7.0),
                     _c("8.3", "Tác động của CCHC đến ngành, lĩnh vực", 7.0)]
        criteria.sort(key=lambda c: [int(x) for x in c.code.split(".")])
    return tuple(criteria)


def _write_internal(ctx: SampleContext, year: int) -> None:
    rng = ctx.rng(f"par_index.internal.{NAM_DINH}.{year}")
    blocks = {"so_nganh": DEPARTMENTS, "huyen": DISTRICTS}
    method_cols: dict[str, list[object]] = {k: [] for k in (
        "province_code", "block", "valid_from_year", "field_code", "field_name", "criterion_code",
        "criterion_name", "max_points", "source", "note")}
    parts: list[pa.Table] = []
    for block, units in blocks.items():  # two blocks
        criteria = internal_criteria(block)
        for c in criteria:
            for key, value in zip(method_cols, (
                    NAM_DINH, block, INTERNAL_FIRST_YEAR, c.field, PAR_FIELDS[c.field], c.code,
                    c.name, c.max_points, c.source, APPROXIMATE), strict=True):
                method_cols[key].append(value)
        mean, sd = INTERNAL_MEANS[year][block]
        block_total = round(mean * 100 * len(units))  # hundredths, so the mean is exact
        totals = np.clip(np.round(rng.normal(mean * 100, sd, len(units))), 7000, 9900
                         ).astype(np.int64)
        totals += _even_shares(block_total - int(totals.sum()), len(units))
        points, self_points = _split(rng, totals, criteria)
        n_c, n_u = len(criteria), len(units)
        flat_self = self_points.ravel()
        parts.append(pa.table({
            "year": pa.array(np.full(n_u * n_c, year)),
            "MaTinh": pa.array([NAM_DINH] * (n_u * n_c)),
            "block": pa.array([block] * (n_u * n_c)),
            "unit_code": pa.array(np.repeat([u[0] for u in units], n_c)),
            "unit_name": pa.array(np.repeat([u[1] for u in units], n_c)),
            "criterion_code": pa.array(np.tile([c.code for c in criteria], n_u)),
            "max_points": pa.array(np.tile([c.max_points for c in criteria], n_u)),
            "self_assessed_points": pa.array(flat_self / 100, mask=flat_self < 0),
            "appraised_points": pa.array(points.ravel() / 100),
            "evidence_ref": _evidence(rng, np.tile([c.source == APPRAISED for c in criteria],
                                                   n_u)),
        }))
    if year == INTERNAL_FIRST_YEAR:
        ctx.write(pa.table(method_cols), INTERNAL_FILE, FAMILY,
                  note="Nam Định's own index, 100 points per block; criteria approximate")
    ctx.write(pa.concat_tables(parts), f"par_index/internal_{NAM_DINH}_{year}.xlsx", FAMILY,
              note="departments (so_nganh) and districts (huyen), ranked within each block")


def _even_shares(amount: int, n: int) -> np.ndarray:
    """Split an integer amount over n units as evenly as possible (exact sum)."""
    shares = np.full(n, amount // n, dtype=np.int64)
    shares[: amount % n] += 1
    return shares


def provinces_for(year: int) -> tuple[Province, ...]:
    return provinces_gso63() if year <= 2024 else provinces_gso34()
