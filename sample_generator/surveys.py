"""Sample survey exports: SIPAS (citizens' satisfaction) and the officials' survey of PAR INDEX.

Answers come from an ordered-probit model: a latent satisfaction per province and element,
plus a respondent effect and question noise, cut into the 1–5 scale. Province means differ, so
provinces rank differently, and most answers land on 3–5 the way published SIPAS results read.

Export dialects differ by year on purpose (SPEC 2): SIPAS 2024 is a CSV with a UTF-8 BOM, NFD
text and ``dd/mm/yyyy`` times; SIPAS 2025 is JSON Lines with ISO 8601 times; the officials'
survey is an XLSX whose times are Excel serial numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH, WorkingCalendar
from foundation.reference import (
    GSO34,
    GSO63,
    MERGER_DATE,
    Province,
    provinces_gso34,
    provinces_gso63,
)
from sample_generator.context import SampleContext
from sample_generator.par_index import (
    FIRST_YEAR,
    PAR_FIELDS,
    THAI_BINH,
    officials_survey_maxima,
    planned_survey_points,
)
from sample_generator.writers import DMY, ISO_OFFSET, excel_serial, format_timestamps

FAMILY = "surveys"
SCALE_MIN, SCALE_MAX = 1, 5
OUT_OF_SCALE_VALUES = np.array([0, 6, 7, 9])  # 9 is the usual "no answer" code leaking through
# latent cut points between answers 1|2, 2|3, 3|4, 4|5
CUTS = np.array([-1.8, -1.0, 0.0, 1.3])
DAY_START, DAY_END = 7 * 3600 + 1800, 17 * 3600 + 1800  # 07:30 .. 17:30 office hours
MODES = np.array(["truc_tiep", "dien_thoai", "truc_tuyen"])
NOISY_KINDS = ("survey_dominant_interviewer", "survey_straight_lining", "survey_short_interviews")

ELEMENTS = {
    1: "Tiếp cận dịch vụ",
    2: "Thủ tục hành chính",
    3: "Công chức giải quyết công việc",
    4: "Kết quả giải quyết",
    5: "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
}
# SIPAS is lower on complaints handling, higher on the civil servant and the result
ELEMENT_OFFSET = np.array([0.05, 0.0, 0.1, 0.1, -0.25])



@dataclass(frozen=True)
class Question:
    code: str
    group: int  # SIPAS element 1..5, or PAR field 1..8
    aspect: str
    text: str
    since: int = 0  # first survey year that asks it (questionnaires are versioned by year)


SIPAS_QUESTIONS = (
    Question("C11", 1, "perception", "Nơi ngồi chờ tại Bộ phận Một cửa có đủ chỗ ngồi"),
    Question("C12", 1, "perception", "Trang thiết bị phục vụ người dân đầy đủ, dễ sử dụng"),
    Question("C13", 1, "satisfaction", "Ông/Bà hài lòng với việc tiếp cận dịch vụ"),
    Question("C14", 1, "expectation", "Mức độ mong đợi cải thiện việc tiếp cận dịch vụ"),
    Question("C15", 1, "perception", "Dịch vụ công trực tuyến dễ truy cập, dễ sử dụng", 2025),
    Question("C21", 2, "perception", "Thủ tục hành chính được niêm yết công khai, đầy đủ"),
    Question("C22", 2, "perception", "Thành phần hồ sơ, phí và lệ phí đúng quy định"),
    Question("C23", 2, "perception", "Thời hạn giải quyết theo đúng quy định"),
    Question("C24", 2, "satisfaction", "Ông/Bà hài lòng về thủ tục hành chính"),
    Question("C25", 2, "expectation", "Mức độ mong đợi đơn giản hóa thủ tục hành chính"),
    Question("C31", 3, "perception", "Công chức có thái độ giao tiếp lịch sự"),
    Question("C32", 3, "perception", "Công chức chú ý lắng nghe ý kiến của người dân"),
    Question("C33", 3, "perception", "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo"),
    Question("C34", 3, "perception", "Công chức hướng dẫn dễ hiểu, một lần là đủ"),
    Question("C35", 3, "satisfaction", "Ông/Bà hài lòng về công chức giải quyết công việc"),
    Question("C36", 3, "expectation", "Mức độ mong đợi cải thiện thái độ phục vụ của công chức"),
    Question("C41", 4, "perception", "Kết quả giải quyết đúng quy định"),
    Question("C42", 4, "perception", "Kết quả có thông tin đầy đủ, chính xác"),
    Question("C43", 4, "satisfaction", "Ông/Bà hài lòng về kết quả giải quyết"),
    Question("C44", 4, "expectation", "Mức độ mong đợi rút ngắn thời gian trả kết quả"),
    Question("C51", 5, "perception", "Cơ quan bố trí hình thức tiếp nhận góp ý, phản ánh"),
    Question("C52", 5, "perception", "Góp ý, phản ánh, kiến nghị được tiếp nhận, xử lý tích cực"),
    Question("C53", 5, "perception", "Được thông báo kết quả xử lý góp ý kịp thời"),
    Question("C54", 5, "satisfaction", "Ông/Bà hài lòng về việc tiếp nhận, xử lý góp ý"),
    Question("C55", 5, "expectation", "Mức độ mong đợi cải thiện việc xử lý phản ánh, kiến nghị"),
)
# relative weight within an element; expectation items are asked but not in the index
ASPECT_WEIGHT = {"perception": 1.0, "satisfaction": 2.0, "expectation": 0.0}
INDEX_RULE = "top2_share"

OFFICIAL_QUESTIONS = (
    Question("CB11", 1, "perception", "Lãnh đạo tỉnh quan tâm chỉ đạo công tác CCHC"),
    Question("CB12", 1, "perception", "Kế hoạch CCHC được triển khai đúng tiến độ"),
    Question("CB21", 2, "perception", "Văn bản QPPL của tỉnh phù hợp với thực tiễn"),
    Question("CB22", 2, "perception", "Văn bản QPPL được ban hành đúng thẩm quyền, quy trình"),
    Question("CB31", 3, "perception", "TTHC thuộc thẩm quyền của tỉnh được đơn giản hóa"),
    Question("CB32", 3, "perception", "Cơ chế một cửa, một cửa liên thông vận hành hiệu quả"),
    Question("CB33", 3, "perception", "Phản ánh, kiến nghị về TTHC được xử lý kịp thời"),
    Question("CB41", 4, "perception", "Chức năng, nhiệm vụ của các cơ quan được phân định rõ"),
    Question("CB42", 4, "perception", "Việc phân cấp quản lý được thực hiện hiệu quả"),
    Question("CB51", 5, "perception", "Tuyển dụng công chức công khai, minh bạch"),
    Question("CB52", 5, "perception", "Kỷ luật, kỷ cương hành chính được chấp hành nghiêm"),
    Question("CB61", 6, "perception", "Cơ chế tự chủ tài chính được thực hiện đúng quy định"),
    Question("CB62", 6, "perception", "Giải ngân vốn đầu tư công kịp thời"),
    Question("CB71", 7, "perception", "Hệ thống thông tin dùng chung vận hành ổn định"),
    Question("CB72", 7, "perception", "Văn bản, hồ sơ công việc được xử lý trên môi trường mạng"),
    Question("CB73", 7, "perception", "Dữ liệu được kết nối, chia sẻ giữa các cơ quan"),
    Question("CB81", 8, "perception", "CCHC góp phần cải thiện môi trường đầu tư, kinh doanh"),
    Question("CB82", 8, "perception", "CCHC nâng cao chất lượng phục vụ người dân, doanh nghiệp"),
    Question("CB83", 8, "perception", "CCHC góp phần phát triển kinh tế - xã hội của tỉnh"),
)

GENDERS = np.array(["Nam", "Nữ"])
EDUCATION = np.array(
    ["Tiểu học", "Trung học cơ sở", "Trung học phổ thông", "Trung cấp, cao đẳng", "Đại học",
     "Sau đại học"]
)
EDUCATION_P = np.array([0.08, 0.2, 0.3, 0.17, 0.22, 0.03])
OCCUPATIONS = np.array(
    ["Nông dân", "Công nhân", "Kinh doanh, buôn bán", "Cán bộ, công chức, viên chức",
     "Học sinh, sinh viên", "Nghỉ hưu", "Nội trợ", "Khác"]
)
OCCUPATIONS_P = np.array([0.22, 0.14, 0.2, 0.12, 0.04, 0.1, 0.08, 0.1])
# ethnic mix by region: the northern mountains, the Central Highlands and the Mekong delta differ
ETHNIC = {
    "TDMNPB": (["Kinh", "Tày", "Thái", "Mường", "H'Mông", "Nùng", "Dao"],
               [0.45, 0.14, 0.13, 0.1, 0.08, 0.06, 0.04]),
    "TN": (["Kinh", "Gia Rai", "Ê Đê", "Ba Na", "Xơ Đăng", "Tày"],
           [0.68, 0.1, 0.08, 0.06, 0.04, 0.04]),
    "DBSCL": (["Kinh", "Khmer", "Hoa", "Chăm"], [0.9, 0.07, 0.025, 0.005]),
}
ETHNIC_DEFAULT = (["Kinh", "Mường", "Hoa", "Thái"], [0.95, 0.02, 0.02, 0.01])
OFFICIAL_ROLES = {
    GSO63: (["Lãnh đạo sở, ban, ngành", "Lãnh đạo cấp phòng thuộc sở",
             "Lãnh đạo UBND cấp huyện", "Đại biểu HĐND tỉnh"], [0.25, 0.4, 0.2, 0.15]),
    GSO34: (["Lãnh đạo sở, ban, ngành", "Lãnh đạo cấp phòng thuộc sở",
             "Lãnh đạo UBND cấp xã", "Đại biểu HĐND tỉnh"], [0.25, 0.35, 0.25, 0.15]),
}
PHONE_PREFIX = np.array([3, 5, 7, 8, 9])  # Vietnamese mobile numbers: 03x, 05x, 07x, 08x, 09x


@dataclass
class SurveyResults:
    """Each year's indices as the warehouse computes them from the written files (the same
    rules, the same weights, out-of-scale answers left out), so the PAR INDEX sample can derive
    its survey points from them instead of drawing them on their own."""

    sipas: dict[int, dict[str, float]] = field(default_factory=dict)  # overall index, 0–100
    officials: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)  # 8 fields, 0–100


# SPEC 7 facts about SIPAS that the sample reproduces through the warehouse's computation
SIPAS_RANK_TARGETS = {2021: {THAI_BINH: 40}, 2022: {THAI_BINH: 13}}  # 13th in 2022, up 27
SIPAS_MEAN_TARGETS = {2023: 82.66}  # national mean of the provincial indices


def survey_years(ctx: SampleContext) -> list[int]:
    """Yearly rounds from 2021 so that year-on-year change exists before and across the merger
    (the dossier range only decides the last round)."""
    return list(range(min(FIRST_YEAR, ctx.config.start.year), ctx.config.end.year + 1))


def generate(ctx: SampleContext, par_totals: dict[int, dict[str, int]] | None = None
             ) -> SurveyResults:
    years = survey_years(ctx)
    results = SurveyResults()
    for year in years:
        provinces = _provinces_for(ctx, year)
        results.sipas[year] = _write_sipas(ctx, year, provinces, noisy=year == years[-1])
        results.officials[year] = _write_officials(
            ctx, year, provinces, (par_totals or {}).get(year, {}), results.sipas[year])
    return results


# --- shared helpers ---------------------------------------------------------------------------


def _provinces_for(ctx: SampleContext, year: int) -> tuple[Province, ...]:
    first_day = _fieldwork_days(ctx, year, 8, 11)[0]
    day = EPOCH + dt.timedelta(days=int(first_day))
    return provinces_gso63() if day < MERGER_DATE else provinces_gso34()


def _fieldwork_days(ctx: SampleContext, year: int, first_month: int, last_month: int) -> np.ndarray:
    """Working days of the fieldwork window, clipped to the configured range (rounds before the
    range keep their usual window)."""
    cfg = ctx.config
    end_of_last = dt.date(year + last_month // 12, last_month % 12 + 1, 1) - dt.timedelta(1)
    start = cfg.start if year >= cfg.start.year else dt.date(year, 1, 1)
    lo, hi = max(dt.date(year, first_month, 1), start), min(end_of_last, cfg.end)
    if lo > hi:  # the range misses the usual window: survey whatever part of the year it covers
        lo, hi = max(dt.date(year, 1, 1), start), min(dt.date(year, 12, 31), cfg.end)
    work = _working_days(ctx, year)
    days = work[(work >= (lo - EPOCH).days) & (work <= (hi - EPOCH).days)]
    if len(days) == 0:
        raise ValueError(f"no working day for the {year} survey in the configured range")
    return days


def _working_days(ctx: SampleContext, year: int) -> np.ndarray:
    if ctx.calendar.first_year <= year <= ctx.calendar.last_year:
        return ctx.calendar.working_day_numbers
    return _calendar(year).working_day_numbers


_CALENDARS: dict[int, WorkingCalendar] = {}


def _calendar(year: int) -> WorkingCalendar:
    if year not in _CALENDARS:
        _CALENDARS[year] = WorkingCalendar(year, year)
    return _CALENDARS[year]


def _province_effects(ctx: SampleContext, name: str, centre: float, spread: float
                      ) -> dict[str, float]:
    """A latent level per gso63 province, carried into gso34 as the mean of its predecessors,
    so one province's results stay recognisable across years and the reorganisation."""
    rng = ctx.rng(f"surveys.{name}.province_effects")
    old = provinces_gso63()
    level = dict(zip((p.code for p in old), rng.normal(centre, spread, len(old)), strict=True))
    new = provinces_gso34()
    drift = rng.normal(0.0, spread / 3, len(new))
    for p, d in zip(new, drift, strict=True):
        members = [level[o.code] for o in old if o.successor_code == p.code]
        level[f"{GSO34}:{p.code}"] = float(np.mean(members)) + d
    return level


def _levels_for(effects: dict[str, float], provinces: tuple[Province, ...]) -> np.ndarray:
    keys = [p.code if p.code_system == GSO63 else f"{GSO34}:{p.code}" for p in provinces]
    return np.array([effects[k] for k in keys])


def _sizes(rng: np.random.Generator, count: int, per_province: int, jitter: bool) -> np.ndarray:
    if not jitter:
        return np.full(count, per_province, dtype=np.int64)
    spread = max(1, per_province // 20)  # ± ~5%, as achieved samples miss or exceed the quota
    return np.maximum(per_province + rng.integers(-spread, spread + 1, count), 1)


def _ids(prefix: np.ndarray, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(np.str_), width))


def _times(rng: np.random.Generator, days: np.ndarray, province: np.ndarray, n_provinces: int,
           duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start/end as local wall-clock seconds: each province's team works a block of ~3 weeks,
    every interview on a working day inside office hours."""
    span = min(15, len(days))
    first = rng.integers(0, len(days) - span + 1, n_provinces)
    day = days[first[province] + rng.integers(0, span, len(province))]
    start_of_day = DAY_START + (rng.random(len(province)) * (DAY_END - DAY_START - duration))
    start = day * 86400 + start_of_day.astype(np.int64)
    return start, start + duration


def _latent(rng: np.random.Generator, level: np.ndarray, group_of_q: np.ndarray,
            group_offset: np.ndarray, respondent_sd: float) -> np.ndarray:
    """Ordered-probit latent satisfaction for rows whose province level is ``level``."""
    n, q = level.shape[0], len(group_of_q)
    return (level[:, group_of_q] + group_offset[group_of_q]
            + rng.normal(0.0, respondent_sd, (n, 1)) + rng.normal(0.0, 0.8, (n, q)))


def _cut(latent: np.ndarray) -> np.ndarray:
    return (np.digitize(latent, CUTS) + SCALE_MIN).astype(np.int64)


def element_indices(answers: np.ndarray, prov: np.ndarray, n_prov: int, weight: np.ndarray,
                    element_of_q: np.ndarray, question_weight: np.ndarray, rule: str,
                    n_elements: int) -> np.ndarray:
    """Index (0–100) per province and element, as the warehouse computes it: the weighted
    share of answers in the top two boxes (``top2_share``) or the rescaled mean
    (``rescaled_mean``) over the element's valid answers, each answer weighted by its
    question's weight and its respondent's sampling weight; out-of-scale answers left out."""
    valid = (answers >= SCALE_MIN) & (answers <= SCALE_MAX)
    if rule == "top2_share":
        hit = (answers >= SCALE_MAX - 1).astype(np.float64)
    else:
        hit = (answers - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
    y = np.where(valid, hit, 0.0) * question_weight
    x = valid * question_weight
    out = np.full((n_prov, n_elements), np.nan)
    for e in range(n_elements):  # five SIPAS elements or eight PAR fields
        cols = element_of_q == e
        num = np.bincount(prov, weight * y[:, cols].sum(axis=1), n_prov)
        den = np.bincount(prov, weight * x[:, cols].sum(axis=1), n_prov)
        out[:, e] = np.divide(100.0 * num, den, out=np.full(n_prov, np.nan), where=den > 0)
    return out


def _bisect(score: Callable[[np.ndarray], np.ndarray], lo_target: np.ndarray,
            hi_target: np.ndarray, size: int, iterations: int = 40) -> np.ndarray:
    """Per-unit latent shifts that put each (monotone) score inside its target window, best
    effort: a unit whose window cannot be met ends at the nearest shift found."""
    lo, hi = np.full(size, -3.0), np.full(size, 3.0)
    shift = np.zeros(size)
    done = np.zeros(size, dtype=bool)
    for _ in range(iterations):  # a bounded bisection
        value = score(shift)
        inside = (value >= lo_target) & (value <= hi_target)
        done |= inside
        if done.all():
            break
        low = ~done & (value < lo_target)
        high = ~done & (value > hi_target)
        lo = np.where(low, shift, lo)
        hi = np.where(high, shift, hi)
        shift = np.where(done, shift, (lo + hi) / 2)
    return shift


def _order(*keys: np.ndarray) -> np.ndarray:
    """Row order of the export: by province, then by start time (as survey tools list them)."""
    return np.lexsort(keys[::-1])


# --- SIPAS ------------------------------------------------------------------------------------


def sipas_questions(year: int) -> tuple[Question, ...]:
    return tuple(q for q in SIPAS_QUESTIONS if q.since <= year)


def _write_sipas_questionnaire(ctx: SampleContext, year: int, questions: tuple[Question, ...]
                               ) -> None:
    table = pa.table({
        "survey_year": pa.array([year] * len(questions), pa.int64()),
        "question_code": [q.code for q in questions],
        "element_code": pa.array([q.group for q in questions], pa.int64()),
        "element_name": [ELEMENTS[q.group] for q in questions],
        "aspect": [q.aspect for q in questions],
        "question_text": [q.text for q in questions],
        "scale_min": pa.array([SCALE_MIN] * len(questions), pa.int64()),
        "scale_max": pa.array([SCALE_MAX] * len(questions), pa.int64()),
        "weight": pa.array([ASPECT_WEIGHT[q.aspect] for q in questions], pa.float64()),
        "index_rule": [INDEX_RULE] * len(questions),
    })
    ctx.write(table, f"surveys/sipas/questionnaire_{year}.csv", FAMILY,
              note="weight is relative within an element; 0 = asked but not in the index")


def _write_sipas(ctx: SampleContext, year: int, provinces: tuple[Province, ...], *, noisy: bool
                 ) -> dict[str, float]:
    cfg = ctx.config
    questions = sipas_questions(year)
    _write_sipas_questionnaire(ctx, year, questions)
    rng = ctx.rng(f"surveys.sipas.{year}")
    n_prov = len(provinces)
    codes = np.array([p.code for p in provinces])
    district_level = provinces[0].code_system == GSO63  # no districts after the 2025 merger

    sizes = _sizes(rng, n_prov, cfg.survey_respondents_per_province, jitter=True)
    prov = np.repeat(np.arange(n_prov), sizes)
    n = len(prov)

    # latent satisfaction: province level + province-by-element deviation, drifting per year
    base = _levels_for(_province_effects(ctx, "sipas", 0.95, 0.22), provinces)
    level = (base + rng.normal(0.0, 0.08, n_prov))[:, None] + rng.normal(0.0, 0.15, (n_prov, 5))
    group_of_q = np.array([q.group - 1 for q in questions])
    latent = _latent(rng, level[prov], group_of_q, ELEMENT_OFFSET, 0.55)

    # mode: web grows after 2024; web interviews have no interviewer
    web_share = 0.1 if year <= 2024 else 0.22
    mode = rng.choice(MODES, n, p=[0.72 - web_share / 2, 0.28 - web_share / 2, web_share])
    duration = np.select(
        [mode == "truc_tiep", mode == "dien_thoai"],
        [rng.lognormal(np.log(27 * 60), 0.3, n), rng.lognormal(np.log(20 * 60), 0.3, n)],
        rng.lognormal(np.log(14 * 60), 0.3, n),
    )
    limits = np.select([mode == "truc_tiep", mode == "dien_thoai"], [15 * 60, 12 * 60], 8 * 60)
    duration = np.clip(duration, limits, 45 * 60).astype(np.int64)
    start, end = _times(rng, _fieldwork_days(ctx, year, 8, 11), prov, n_prov, duration)

    # sampled communes (and their districts before the merger): 6 per province
    n_units = 6
    if district_level:
        districts = (codes.astype(np.int64) * 10)[:, None] + np.stack(
            [rng.choice(10, 3, replace=False) for _ in range(n_prov)])
        communes = np.repeat(districts, 2, axis=1) * 100 + rng.integers(1, 50, (n_prov, n_units))
        communes[:, 1::2] += 50  # two distinct communes per district
    else:
        communes = (codes.astype(np.int64) * 1000)[:, None] + np.stack(
            [rng.choice(np.arange(1, 999), n_units, replace=False) for _ in range(n_prov)])
    unit = rng.integers(0, n_units, n)
    commune = communes[prov, unit]

    order = _order(prov, start, unit)
    prov, latent, mode, start, end, commune = (
        prov[order], latent[order], mode[order], start[order], end[order], commune[order])
    seq = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1

    interviewer, n_interviewers = _assign_interviewers(rng, prov, n_prov, mode == "truc_tuyen")
    prov_codes = codes[prov]
    interviewer_id = _ids(np.strings.add(np.strings.add("DTV", prov_codes), "-"), interviewer, 2)

    weight = rng.lognormal(0.0, 0.3, n)  # post-stratification weight, mean 1 per province
    weight = np.round(weight / (np.bincount(prov, weight) / sizes)[prov], 4)
    overall = _sipas_overall(ctx, year, questions, prov, n_prov, weight)
    shift = _calibrate_sipas(year, codes, latent, prov, overall)
    answers = _cut(latent + shift[prov, None])

    age = np.clip(rng.normal(43, 13, n), 18, 80).astype(np.int64)
    ethnic = np.empty(n, dtype=object)
    regions = np.array([p.region_code for p in provinces])[prov]
    for region in np.unique(regions):  # trivial loop over six regions
        names, probs = ETHNIC.get(str(region), ETHNIC_DEFAULT)
        mask = regions == region
        ethnic[mask] = rng.choice(np.array(names, dtype=object), int(mask.sum()), p=probs)
    phone = np.strings.add(
        "0", (rng.choice(PHONE_PREFIX, n) * 10**8 + rng.integers(0, 10**8, n)).astype(np.str_))
    phone_missing = rng.random(n) < 0.03  # some respondents decline to give a number

    # injected defects change values only, never the row order, so row numbers stay valid
    affected = np.zeros(n, dtype=bool)
    noisy_defects: list[tuple[str, list[int], dict[str, object]]] = []
    if noisy:
        noisy_defects = _inject_noisy(ctx, year, provinces, prov, answers, interviewer, mode,
                                      start, end, n_interviewers, affected)
        interviewer_id = _ids(np.strings.add(np.strings.add("DTV", prov_codes), "-"),
                              interviewer, 2)
    scale_rows, scale_codes, scale_values = _inject_out_of_scale(
        ctx, year, answers, questions, affected)
    final = overall(answers, with_out_of_scale=False)

    columns: dict[str, pa.Array | np.ndarray] = {
        "MaKhaoSat": pa.array([f"SIPAS-{year}"] * n),
        "NamKhaoSat": pa.array(np.full(n, year)),
        "MaTinh": pa.array(prov_codes),
    }
    if district_level:
        columns["MaHuyen"] = pa.array(np.strings.zfill((commune // 100).astype(np.str_), 3))
    columns |= {
        "MaXa": pa.array(np.strings.zfill(commune.astype(np.str_), 5)),
        "MaNguoiTraLoi": pa.array(_ids(np.strings.add(str(year), prov_codes), seq, 4)),
        "MaDieuTraVien": pa.array(interviewer_id, mask=mode == "truc_tuyen"),
        "HinhThuc": pa.array(mode),
    }
    timestamp_format = DMY if district_level else ISO_OFFSET
    columns["ThoiGianBatDau"] = format_timestamps(start.astype("datetime64[s]"), timestamp_format)
    columns["ThoiGianKetThuc"] = format_timestamps(end.astype("datetime64[s]"), timestamp_format)
    columns |= {
        "TrongSo": pa.array(weight),
        "GioiTinh": pa.array(rng.choice(GENDERS, n, p=[0.52, 0.48])),
        "NamSinh": pa.array(year - age),
        "TrinhDoHocVan": pa.array(rng.choice(EDUCATION, n, p=EDUCATION_P)),
        "NgheNghiep": pa.array(rng.choice(OCCUPATIONS, n, p=OCCUPATIONS_P)),
        "DanToc": pa.array(ethnic.astype(np.str_)),
        "SoDienThoai": pa.array(phone, mask=phone_missing),
    }
    for j, q in enumerate(questions):
        columns[q.code] = pa.array(answers[:, j])
    table = pa.table(columns)

    # the dialect follows the exporting system: the pre-merger tool (gso63, districts) wrote
    # BOM + NFD CSV, the post-merger web platform writes JSON Lines
    if district_level:
        relative = f"surveys/sipas/sipas_{year}.csv"
        ctx.write(table, relative, FAMILY, bom=True, nfd=True, timestamp_format=DMY,
                  note="SIPAS export: UTF-8 BOM, NFD text, dd/mm/yyyy local times")
    else:
        relative = f"surveys/sipas/sipas_{year}.jsonl"
        ctx.write(table, relative, FAMILY, timestamp_format=ISO_OFFSET,
                  note="SIPAS web-platform export: JSON Lines, ISO 8601 times with +07:00")

    if len(scale_rows):
        ctx.truth.add_defect(
            "survey_answer_out_of_scale", "consistency", relative, list(scale_rows),
            survey="sipas", year=year, question_codes=scale_codes, values=scale_values,
            scale_min=SCALE_MIN, scale_max=SCALE_MAX)
    for kind, rows, details in noisy_defects:
        ctx.truth.add_defect(kind, "anomaly", relative, rows, **details)
    return dict(zip(codes.tolist(), final.tolist(), strict=True))


def _sipas_overall(ctx: SampleContext, year: int, questions: tuple[Question, ...],
                   prov: np.ndarray, n_prov: int, weight: np.ndarray
                   ) -> Callable[..., np.ndarray]:
    """The overall index per province (mean of the five elements) of a set of answers; with
    ``with_out_of_scale`` the year's planted out-of-scale cells are applied first (they fall on
    the same cells whatever the answers, so calibration sees what the warehouse will see)."""
    element_of_q = np.array([q.group - 1 for q in questions])
    question_weight = np.array([ASPECT_WEIGHT[q.aspect] for q in questions])

    def overall(answers: np.ndarray, *, with_out_of_scale: bool = True) -> np.ndarray:
        if with_out_of_scale:
            answers = answers.copy()
            _inject_out_of_scale(ctx, year, answers, questions, np.zeros(len(answers), bool))
        return element_indices(answers, prov, n_prov, weight, element_of_q, question_weight,
                               INDEX_RULE, len(ELEMENTS)).mean(axis=1)

    return overall


def _calibrate_sipas(year: int, codes: np.ndarray, latent: np.ndarray, prov: np.ndarray,
                     overall: Callable[..., np.ndarray]) -> np.ndarray:
    """Latent shifts per province that reproduce the year's published SIPAS facts: the national
    mean (one shift for all) and pinned ranks (one province moved between its neighbours)."""
    n_prov = len(codes)
    shift = np.zeros(n_prov)
    if year in SIPAS_MEAN_TARGETS:
        target = SIPAS_MEAN_TARGETS[year]
        common = _bisect(lambda s: np.array([overall(_cut(latent + s[0])).mean()]),
                         np.array([target - 0.002]), np.array([target + 0.002]), 1)
        shift += common[0]
    for code, rank in SIPAS_RANK_TARGETS.get(year, {}).items():
        where = np.flatnonzero(codes == code)
        if len(where) == 0:
            continue
        p = int(where[0])
        values = np.round(overall(_cut(latent + shift[prov, None])), 2)
        others = np.sort(np.delete(values, p))[::-1]
        if rank - 1 > len(others) - 1:
            continue
        above = others[rank - 2] if rank >= 2 else others[0] + 2.0
        below = others[rank - 1]
        gap = above - below
        lo_t, hi_t = below + max(0.01, gap / 4), above - max(0.01, gap / 4)
        if hi_t < lo_t:
            continue  # neighbours too close to fit between (a tiny sample): leave it

        def of_one(s: np.ndarray, p: int = p) -> np.ndarray:
            trial = shift.copy()
            trial[p] += s[0]
            return overall(_cut(latent + trial[prov, None]))[p:p + 1]

        shift[p] += _bisect(of_one, np.array([lo_t]), np.array([hi_t]), 1)[0]
    return shift


def _assign_interviewers(rng: np.random.Generator, prov: np.ndarray, n_prov: int,
                         self_administered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """6–10 interviewers per province sharing its interviews almost evenly (0 = none, web)."""
    n_interviewers = rng.integers(6, 11, n_prov)
    interviewer = np.zeros(len(prov), dtype=np.int64)
    for p in range(n_prov):  # trivial loop over provinces
        rows = np.flatnonzero((prov == p) & ~self_administered)
        shares = np.resize(np.arange(1, n_interviewers[p] + 1), len(rows))
        interviewer[rows] = rng.permutation(shares)
    return interviewer, n_interviewers


def _inject_noisy(ctx: SampleContext, year: int, provinces: tuple[Province, ...],
                  prov: np.ndarray, answers: np.ndarray, interviewer: np.ndarray,
                  mode: np.ndarray, start: np.ndarray, end: np.ndarray,
                  n_interviewers: np.ndarray, affected: np.ndarray
                  ) -> list[tuple[str, list[int], dict[str, object]]]:
    """Make a few provinces' data 'noisy' the way PAPI/SIPAS reviewers reject it (SPEC 4)."""
    count = min(ctx.config.defects.noisy_survey_provinces, len(provinces))
    rng = ctx.rng(f"surveys.sipas.{year}.noisy")
    chosen = np.sort(rng.choice(len(provinces), count, replace=False))
    kinds = [NOISY_KINDS[i % len(NOISY_KINDS)] for i in range(count)]
    out: list[tuple[str, list[int], dict[str, object]]] = []
    for p, kind in zip(chosen, kinds, strict=True):  # trivial loop over a few provinces
        rows = np.flatnonzero(prov == p)
        n = len(rows)
        details: dict[str, object] = {
            "province_code": provinces[p].code, "code_system": provinces[p].code_system,
            "year": year, "survey": "sipas",
        }
        if kind == "survey_dominant_interviewer":
            star = int(rng.integers(1, n_interviewers[p] + 1))
            take = rng.choice(rows, round(0.7 * n), replace=False)
            interviewer[take] = star
            mode[take] = np.where(mode[take] == "truc_tuyen", "truc_tiep", mode[take])
            hit = rows[interviewer[rows] == star]
            details |= {"interviewer_id": f"DTV{provinces[p].code}-{star:02d}",
                        "interviewer_share": round(len(hit) / n, 4)}
        elif kind == "survey_straight_lining":
            k = round(0.35 * n)
            pick = rng.permutation(rows)
            flat, rest = pick[:k], pick[k:]
            rest = rest[(answers[rest] != answers[rest, :1]).any(axis=1)]  # varied vectors only
            answers[flat] = rng.choice([5, 4, 3], k, p=[0.5, 0.4, 0.1])[:, None]
            n_dup = min(3, len(rest) // 2)
            copies, sources = rest[:n_dup], rest[n_dup:2 * n_dup]
            answers[copies] = answers[sources]  # exact duplicate answer vectors
            affected[sources] = True  # keep the originals intact so the pairs stay exact
            hit = np.concatenate([flat, copies])
            same = (answers[rows] == answers[rows, :1]).all(axis=1)
            by_row = np.argsort(copies)
            details |= {"straight_lining_share": round(float(same.mean()), 4),
                        "straight_lining_rows": int(same.sum()),
                        "duplicate_rows": [int(r) + 1 for r in copies[by_row]],
                        "duplicate_of_rows": [int(r) + 1 for r in sources[by_row]]}
        else:
            hit = rng.choice(rows, round(0.4 * n), replace=False)
            end[hit] = start[hit] + rng.integers(60, 241, len(hit))  # 1–4 minutes
            short = (end[rows] - start[rows]) < 5 * 60
            details |= {"short_interview_share": round(float(short.mean()), 4),
                        "max_minutes": 4}
        affected[hit] = True
        out.append((kind, sorted(int(r) + 1 for r in hit), details))
    return out


def _inject_out_of_scale(ctx: SampleContext, year: int, answers: np.ndarray,
                         questions: tuple[Question, ...], affected: np.ndarray
                         ) -> tuple[np.ndarray, list[str], list[int]]:
    """One answer of 0, 6, 7 or 9 in a share of rows (rows untouched by other defects)."""
    share = ctx.config.defects.survey_out_of_scale_share
    rng = ctx.rng(f"surveys.sipas.{year}.out_of_scale")
    candidates = np.flatnonzero(~affected)
    k = min(len(candidates), round(share * len(answers))) if share > 0 else 0
    if share > 0:
        k = max(k, 1)
    rows = np.sort(rng.choice(candidates, k, replace=False))
    cols = rng.integers(0, len(questions), k)
    values = rng.choice(OUT_OF_SCALE_VALUES, k)
    answers[rows, cols] = values
    return rows + 1, [questions[c].code for c in cols], [int(v) for v in values]


# --- officials' survey (PAR INDEX) ------------------------------------------------------------


OFFICIALS_RULE = "rescaled_mean"  # the warehouse's rule for this survey (seed survey_index_rules)


def _write_officials(ctx: SampleContext, year: int, provinces: tuple[Province, ...],
                     par_totals: dict[str, int], sipas: dict[str, float]
                     ) -> dict[str, np.ndarray]:
    cfg = ctx.config
    questions = OFFICIAL_QUESTIONS
    per_field = np.bincount([q.group for q in questions])
    questionnaire = pa.table({
        "survey_year": pa.array([year] * len(questions), pa.int64()),
        "question_code": [q.code for q in questions],
        "par_field_code": pa.array([q.group for q in questions], pa.int64()),
        "par_field_name": [PAR_FIELDS[q.group] for q in questions],
        "question_text": [q.text for q in questions],
        "scale_min": pa.array([SCALE_MIN] * len(questions), pa.int64()),
        "scale_max": pa.array([SCALE_MAX] * len(questions), pa.int64()),
        # equal weights within a field, summing to 1 per field
        "weight": pa.array([round(1.0 / per_field[q.group], 4) for q in questions]),
    })
    ctx.write(questionnaire, f"surveys/officials/questionnaire_{year}.csv", FAMILY)

    rng = ctx.rng(f"surveys.officials.{year}")
    n_prov = len(provinces)
    codes = np.array([p.code for p in provinces])
    sizes = _sizes(rng, n_prov, cfg.officials_per_province, jitter=False)
    prov = np.repeat(np.arange(n_prov), sizes)
    n = len(prov)

    base = _levels_for(_province_effects(ctx, "officials", 0.9, 0.3), provinces)
    level = (base + rng.normal(0.0, 0.1, n_prov))[:, None] + rng.normal(0.0, 0.2, (n_prov, 8))
    field_of_q = np.array([q.group - 1 for q in questions])
    latent = _latent(rng, level[prov], field_of_q, np.zeros(8), 0.5)
    question_weight = np.array([round(1.0 / per_field[q.group], 4) for q in questions])

    def fields(shift: np.ndarray) -> np.ndarray:
        return element_indices(_cut(latent + shift[prov, None]), prov, n_prov, np.ones(n),
                               field_of_q, question_weight, OFFICIALS_RULE, 8)

    # the PAR INDEX total is planned; the officials' survey must leave the appraised part a
    # feasible share of it, so each province's level is moved to the survey points it needs
    # (a range ending before the round's usual fieldwork can survey the other code system than
    # the PAR round scores: those provinces keep their drawn level)
    shift = np.zeros(n_prov)
    planned = np.array([c in par_totals for c in codes])
    if planned.any():
        maxima = officials_survey_maxima()
        wanted = np.array([planned_survey_points(par_totals[c]) - _sipas_points(sipas, c)
                           if c in par_totals else 0.0 for c in codes])
        wanted = np.clip(wanted, 0.45 * maxima.sum(), 0.99 * maxima.sum())
        lo = np.where(planned, wanted - 0.3, -np.inf)
        hi = np.where(planned, wanted + 0.3, np.inf)
        shift = _bisect(lambda s: fields(s) @ maxima / 100, lo, hi, n_prov)
    answers = _cut(latent + shift[prov, None])
    result = fields(shift)
    duration = np.clip(rng.lognormal(np.log(18 * 60), 0.3, n), 8 * 60, 40 * 60).astype(np.int64)
    start, end = _times(rng, _fieldwork_days(ctx, year, 9, 11), prov, n_prov, duration)
    order = _order(prov, start)
    prov, answers, start, end = prov[order], answers[order], start[order], end[order]
    seq = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1

    # a few provincial staff run the officials' survey: 2–4 per province
    staff = rng.integers(2, 5, n_prov)
    interviewer = (rng.random(n) * staff[prov]).astype(np.int64) + 1
    roles, role_p = OFFICIAL_ROLES[provinces[0].code_system]
    prov_codes = codes[prov]

    columns: dict[str, pa.Array] = {
        "MaKhaoSat": pa.array([f"CBLD-{year}"] * n),
        "NamKhaoSat": pa.array(np.full(n, year)),
        "MaTinh": pa.array(prov_codes),
        "MaNguoiTraLoi": pa.array(_ids(np.strings.add(f"CB{year}", prov_codes), seq, 3)),
        "MaDieuTraVien": pa.array(
            _ids(np.strings.add(np.strings.add("CBDT", prov_codes), "-"), interviewer, 2)),
        "ChucVu": pa.array(rng.choice(np.array(roles), n, p=role_p)),
        "ThoiGianBatDau": excel_serial(start.astype("datetime64[s]")),
        "ThoiGianKetThuc": excel_serial(end.astype("datetime64[s]")),
    }
    for j, q in enumerate(questions):
        columns[q.code] = pa.array(answers[:, j])
    ctx.write(pa.table(columns), f"surveys/officials/can_bo_{year}.xlsx", FAMILY,
              timestamp_format="excel_serial",
              note="officials/leaders survey for PAR INDEX; times are Excel serial days, local")
    return {str(c): result[i] for i, c in enumerate(codes)}


def _sipas_points(sipas: dict[str, float], code: str) -> float:
    """Points the SIPAS criterion (8.1, 8 points) will carry for a province."""
    return 8.0 * sipas.get(code, 80.0) / 100
