"""Sample PAPI microdata, shaped like the real survey and delivered the way a contractor does.

The design follows PAPI's multi-stage sample: in each province a few districts, two communes in
each district, two villages (thôn, tổ dân phố) in each commune and about 16 face-to-face
interviews per village, a few hundred per province and about 19,000 a year at full size
(`SampleConfig.papi_respondents_per_province`). Each wave is an SPSS-style wide file (short
lower-case variable names, numeric codes, blank = not asked) with a codebook beside it: 2023 CSV
with dd/mm/yyyy times, 2024 XLSX with Excel serial times, 2025 CSV with ISO times and no district
(the 2025 reorganisation removed them).

Answers come from a latent propensity per province, dimension and respondent cut into each
indicator's scale (binary, 1–4, 1–5; reversed where lower is better), with the methodology's
skip patterns (only users answer about a service) and "don't know" codes. The methodology is the
warehouse's own seed (`papi_methodology.csv`), so the sample and the index read one definition.

Noise as the real rounds had it (SPEC 4, the seeds): PAPI 2023 left Quảng Ninh and Bình Dương
unscored, PAPI 2024 Vĩnh Phúc and Tiền Giang, for noisy data; the sample plants the SIPAS kinds
of noise in exactly those provinces and years (ground truth `survey="papi"`), plus a few
out-of-scale codes. PAPI 2024 is calibrated so the warehouse computes Nam Định at 44.35, 20th of
the 61 scored provinces (Báo Nam Định, 04/2025).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH, WorkingCalendar
from foundation.reference import GSO63, MERGER_DATE, Province, provinces_gso34, provinces_gso63
from foundation.settings import SEEDS_DIR
from sample_generator.context import SampleContext
from sample_generator.writers import DMY, ISO_OFFSET, excel_serial, format_timestamps

FAMILY = "surveys"
METHODOLOGY_FILE = SEEDS_DIR / "indices" / "papi_methodology.csv"
FIRST_YEAR = 2023  # rounds from 2023: the two noisy rounds of the seeds and the one after
PER_VILLAGE = 16
DONT_KNOW, REFUSED = 98, 99  # the codebook's missing-value codes
OUT_OF_SCALE = {2: np.array([2, 7, 9]), 4: np.array([0, 5, 7]), 5: np.array([0, 6, 7])}
DAY_START, DAY_END = 7 * 3600 + 1800, 17 * 3600 + 1800

# the rounds that left provinces unscored for noisy data, and the noise the sample plants there
# (the kinds the quality gate knows from SIPAS; a round's noise keeps the province's answers
# where the next round's year-on-year comparison would otherwise inherit it)
NOISY: dict[int, dict[str, str]] = {
    2023: {"22": "survey_dominant_interviewer",  # Quảng Ninh
           "74": "survey_short_interviews"},  # Bình Dương
    2024: {"26": "survey_straight_lining",  # Vĩnh Phúc
           "82": "survey_dominant_interviewer"},  # Tiền Giang
}
NAM_DINH = "36"
# published facts the warehouse must reproduce: province -> (total out of 80 as the press
# rounds it, rank among the scored provinces)
TARGETS: dict[int, dict[str, tuple[float, int]]] = {2024: {NAM_DINH: (44.35, 20)}}

# the share of respondents asked an indicator (PAPI asks about a service only its users);
# indicators asked only after a yes: (filter question, share of yeses asked)
ASKED_SHARE = {"d501": 0.35, "d502": 0.10, "d503": 0.12, "d504": 0.45}
ASKED_AFTER = {"d303": "d302", "d802": "d801"}
# the latent location of each indicator (good direction): national levels differ by indicator
LOCATION = {
    "d101": -0.3, "d102": 0.4, "d103": 0.9, "d104": -0.4, "d105": 0.5, "d106": -0.6,
    "d201": 0.0, "d202": 0.3, "d203": 0.2, "d204": -0.2, "d205": 0.1, "d206": -0.5,
    "d207": 0.5, "d301": 0.2, "d302": 0.1, "d303": 0.1, "d304": -0.3, "d401": -0.2,
    "d402": -0.4, "d403": 0.0, "d404": -0.5, "d405": -0.7, "d406": 0.3, "d501": 0.6,
    "d502": 0.2, "d503": 0.0, "d504": 0.7, "d601": 0.3, "d602": 1.2, "d603": 0.5,
    "d604": 0.2, "d605": -0.1, "d606": 0.6, "d701": -0.2, "d702": 0.1, "d703": -0.3,
    "d801": -0.6, "d802": 0.2, "d803": 0.5,
}
EDUCATION_CODES = np.arange(1, 7)
EDUCATION_P = np.array([0.1, 0.22, 0.3, 0.15, 0.2, 0.03])


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    dimension: str
    sub_dimension: str
    scale_min: int
    scale_max: int
    reversed: bool
    weight: float

    @property
    def points(self) -> int:
        return self.scale_max - self.scale_min + 1


@dataclass(frozen=True)
class Methodology:
    version: str
    indicators: tuple[Indicator, ...]
    dimension_min: float
    dimension_max: float

    @property
    def sub_dimensions(self) -> list[str]:
        return sorted({i.sub_dimension for i in self.indicators},
                      key=lambda s: tuple(int(p) for p in s.split(".")))

    @property
    def dimensions(self) -> list[str]:
        return sorted({i.dimension for i in self.indicators}, key=int)


@cache
def methodology(year: int) -> Methodology:
    """The version of the warehouse's methodology seed in force in `year`."""
    with METHODOLOGY_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if int(r["valid_from_year"]) <= year <= int(r["valid_to_year"])]
    if not rows:
        raise ValueError(f"no PAPI methodology in force in {year} ({METHODOLOGY_FILE.name})")
    indicators = tuple(Indicator(
        r["indicator_code"], r["indicator_name"], r["dimension_code"], r["sub_dimension_code"],
        int(r["scale_min"]), int(r["scale_max"]), r["rescaling"] == "reverse_min_max",
        float(r["weight"])) for r in rows)
    return Methodology(rows[0]["methodology_version"], indicators,
                       float(rows[0]["dimension_scale_min"]), float(rows[0]["dimension_scale_max"]))


# --- the index, as the warehouse computes it -------------------------------------------------


def indicator_means(answers: np.ndarray, valid: np.ndarray, prov: np.ndarray, n_prov: int,
                    weight: np.ndarray, m: Methodology) -> np.ndarray:
    """Sampling-weighted mean of each indicator's rescaled answers (0–1) per province over the
    respondents who answered it (NaN where nobody did)."""
    lo = np.array([i.scale_min for i in m.indicators])
    hi = np.array([i.scale_max for i in m.indicators])
    rev = np.array([i.reversed for i in m.indicators])
    score = np.where(rev, hi - answers, answers - lo) / (hi - lo)
    out = np.full((n_prov, len(m.indicators)), np.nan)
    for j in range(len(m.indicators)):  # ~40 indicators
        w = weight * valid[:, j]
        num = np.bincount(prov, w * np.where(valid[:, j], score[:, j], 0.0), n_prov)
        den = np.bincount(prov, w, n_prov)
        out[:, j] = np.divide(num, den, out=np.full(n_prov, np.nan), where=den > 0)
    return out


def scores(means: np.ndarray, m: Methodology) -> tuple[np.ndarray, np.ndarray]:
    """(dimension scores per province, 1–10 each; total per province, 8–80): a sub-dimension is
    (min + (max − min) × weighted mean of its indicators) ÷ sub-dimensions of its dimension; a
    sub-dimension nobody in the province answered is left out and the dimension scaled up from
    the others (× sub-dimensions ÷ answered ones)."""
    dims = m.dimensions
    out = np.zeros((means.shape[0], len(dims)))
    for d, dim in enumerate(dims):
        subs = [s for s in m.sub_dimensions if s.split(".")[0] == dim]
        parts = np.full((means.shape[0], len(subs)), np.nan)
        for k, sub in enumerate(subs):
            cols = [j for j, i in enumerate(m.indicators) if i.sub_dimension == sub]
            c = np.array([m.indicators[j].weight for j in cols])
            x = means[:, cols]
            present = ~np.isnan(x)
            answered = present @ c
            mean = np.divide(np.nansum(x * c, axis=1), answered,
                             out=np.full(len(x), np.nan), where=answered > 0)
            parts[:, k] = (m.dimension_min + (m.dimension_max - m.dimension_min) * mean) / len(subs)
        counted = (~np.isnan(parts)).sum(axis=1)
        out[:, d] = np.divide(np.nansum(parts, axis=1) * len(subs), counted,
                              out=np.full(len(parts), np.nan), where=counted > 0)
    return out, out.sum(axis=1)


# --- the sample ------------------------------------------------------------------------------


def survey_years(ctx: SampleContext) -> list[int]:
    return list(range(min(FIRST_YEAR, ctx.config.end.year), ctx.config.end.year + 1))


def generate(ctx: SampleContext) -> dict[int, dict[str, float]]:
    """Write every PAPI wave with its codebook; returns each year's total per province as the
    warehouse computes it (before the gate withholds the noisy ones)."""
    return {year: _write_wave(ctx, year) for year in survey_years(ctx)}


def _provinces_for(year: int, fieldwork: np.ndarray) -> tuple[Province, ...]:
    first = EPOCH + dt.timedelta(days=int(fieldwork[0]))
    return provinces_gso63() if first < MERGER_DATE else provinces_gso34()


def _fieldwork_days(ctx: SampleContext, year: int) -> np.ndarray:
    """PAPI interviews from August to November on working days; a range that ends before the
    window surveys what it covers of the year."""
    lo, hi = dt.date(year, 8, 1), min(dt.date(year, 11, 30), ctx.config.end)
    if hi < lo:
        lo = dt.date(year, 1, 1)
    calendar = (ctx.calendar if ctx.calendar.first_year <= year <= ctx.calendar.last_year
                else WorkingCalendar(year, year))
    days = calendar.working_day_numbers
    days = days[(days >= (lo - EPOCH).days) & (days <= (hi - EPOCH).days)]
    if len(days) == 0:
        raise ValueError(f"no working day for the PAPI {year} fieldwork")
    return days


@dataclass
class Design:
    """Where each respondent was interviewed: province, district, commune, village codes."""

    prov: np.ndarray
    district: np.ndarray  # 3-digit codes; empty strings after the reorganisation
    commune: np.ndarray
    village: np.ndarray
    sizes: np.ndarray


def _design(rng: np.random.Generator, provinces: tuple[Province, ...], per_province: int
            ) -> Design:
    """Villages of ~16 interviews, two per commune, two communes per district (PAPI's design);
    codes nest: a commune's code starts with its district's, a village's with its commune's."""
    has_districts = provinces[0].code_system == GSO63
    prov_rows, dist_rows, comm_rows, vill_rows, sizes = [], [], [], [], []
    for p, province in enumerate(provinces):  # 63 or 34 provinces
        villages = max(1, round(per_province / PER_VILLAGE))
        communes = (villages + 1) // 2
        base = int(province.code)
        # the province's sampled districts among its (up to) ten: a random few, in code order
        district_codes = base * 10 + np.sort(rng.choice(10, min((communes + 1) // 2, 10),
                                                        replace=False))
        per_village = np.full(villages, per_province // villages)
        per_village[: per_province % villages] += 1
        for v in range(villages):
            k = v // 2  # the commune, two villages each
            district = district_codes[(k // 2) % len(district_codes)]
            commune = district * 100 + 10 + k if has_districts else base * 1000 + 100 + k
            prov_rows.append(np.full(per_village[v], p))
            dist_rows.append(np.full(per_village[v], f"{district:03d}" if has_districts else ""))
            comm_rows.append(np.full(per_village[v], f"{commune:05d}"))
            vill_rows.append(np.full(per_village[v], f"{commune:05d}{v % 2 + 1:02d}"))
        sizes.append(int(per_village.sum()))
    return Design(np.concatenate(prov_rows), np.concatenate(dist_rows),
                  np.concatenate(comm_rows), np.concatenate(vill_rows), np.array(sizes))


def _latent(ctx: SampleContext, year: int, provinces: tuple[Province, ...], design: Design,
            m: Methodology) -> np.ndarray:
    """Latent propensity (good direction) per respondent and indicator: a province level that
    persists across years and the reorganisation, a province-by-dimension deviation, a
    respondent effect (answers of one respondent move together) and item noise."""
    rng = ctx.rng(f"papi.{year}.latent")
    level = _levels(ctx, provinces) + rng.normal(0.0, 0.03, len(provinces))
    dims = m.dimensions
    dim_of = np.array([dims.index(i.dimension) for i in m.indicators])
    deviation = rng.normal(0.0, 0.08, (len(provinces), len(dims)))
    n, k = len(design.prov), len(m.indicators)
    location = np.array([LOCATION.get(i.code, 0.0) for i in m.indicators])
    return (level[design.prov, None] + deviation[design.prov][:, dim_of] + location[None, :]
            + rng.normal(0.0, 0.5, (n, 1)) + rng.normal(0.0, 0.85, (n, k)))


def _levels(ctx: SampleContext, provinces: tuple[Province, ...]) -> np.ndarray:
    rng = ctx.rng("papi.province_levels")
    old = provinces_gso63()
    level = dict(zip((p.code for p in old), rng.normal(0.0, 0.09, len(old)), strict=True))
    if provinces[0].code_system == GSO63:
        return np.array([level[p.code] for p in provinces])
    return np.array([np.mean([level[o.code] for o in old if o.successor_code == p.code])
                     for p in provinces])


def _cuts(points: int) -> np.ndarray:
    """Cut points of a `points`-option answer on the latent scale (binary: one cut at 0)."""
    if points == 2:
        return np.array([0.0])
    return np.array([NormalDist().inv_cdf(k / points) for k in range(1, points)]) * 1.15


def _cut(latent: np.ndarray, m: Methodology) -> np.ndarray:
    """Answer codes: the position of the latent among the cuts, flipped for reversed items."""
    out = np.empty(latent.shape, dtype=np.int64)
    for j, ind in enumerate(m.indicators):  # ~40 indicators
        position = np.digitize(latent[:, j], _cuts(ind.points))
        out[:, j] = ind.scale_max - position if ind.reversed else ind.scale_min + position
    return out


def _asked(rng: np.random.Generator, answers: np.ndarray, m: Methodology) -> np.ndarray:
    """Which respondents are asked each indicator (skip patterns), given the filter answers."""
    codes = [i.code for i in m.indicators]
    asked = np.ones(answers.shape, dtype=bool)
    for j, code in enumerate(codes):
        if code in ASKED_SHARE:
            asked[:, j] = rng.random(len(answers)) < ASKED_SHARE[code]
        elif code in ASKED_AFTER and ASKED_AFTER[code] in codes:
            asked[:, j] = answers[:, codes.index(ASKED_AFTER[code])] == 1
    return asked


def _write_wave(ctx: SampleContext, year: int) -> dict[str, float]:
    cfg = ctx.config
    m = methodology(year)
    rng = ctx.rng(f"papi.{year}")
    fieldwork = _fieldwork_days(ctx, year)
    provinces = _provinces_for(year, fieldwork)
    codes = np.array([p.code for p in provinces])
    design = _design(rng, provinces, cfg.papi_respondents_per_province)
    n, n_prov, k = len(design.prov), len(provinces), len(m.indicators)
    # rows in export order (province, then start time) from here on
    interviewer, n_interviewers = _interviewers(rng, design.prov, n_prov)
    duration = np.clip(rng.lognormal(np.log(42 * 60), 0.22, n), 22 * 60, 85 * 60).astype(np.int64)
    start, end = _times(rng, fieldwork, design.prov, n_prov, duration)
    order = np.lexsort((start, design.prov))
    design = Design(design.prov[order], design.district[order], design.commune[order],
                    design.village[order], design.sizes)
    prov, interviewer, start, end = design.prov, interviewer[order], start[order], end[order]
    latent = _latent(ctx, year, provinces, design, m)

    weight = rng.lognormal(0.0, 0.25, n)  # post-stratification weight, mean 1 per province
    weight = np.round(weight / (np.bincount(prov, weight) / design.sizes)[prov], 4)
    asked = _asked(rng, _cut(latent, m), m)
    likert = np.array([i.points > 2 for i in m.indicators])
    dont_know = (rng.random((n, k)) < 0.03) & likert[None, :] & asked
    refused = (rng.random((n, k)) < 0.004) & likert[None, :] & asked & ~dont_know
    answered = asked & ~dont_know & ~refused

    # the seeds' noisy rounds, unless the sample is asked for no noisy survey at all
    planted = cfg.defects.noisy_survey_provinces > 0 and provinces[0].code_system == GSO63
    noisy = NOISY.get(year, {}) if planted else {}
    scale_cells = _out_of_scale_cells(ctx, year, answered, np.isin(codes[prov], list(noisy)))
    valid = answered.copy()
    valid[scale_cells] = False  # what the warehouse leaves out: blanks, 98/99, impossible codes

    def totals(shift: np.ndarray, w: np.ndarray = weight) -> np.ndarray:
        answers = _cut(latent + shift[prov, None], m)
        return scores(indicator_means(answers, valid, prov, n_prov, w, m), m)[1]

    shift = np.zeros(n_prov)
    for code, (target, rank) in TARGETS.get(year, {}).items():
        if code in codes:
            shift, weight = _calibrate(codes, noisy, code, target, rank, totals, shift, weight,
                                       prov)

    answers = _cut(latent + shift[prov, None], m)
    defects = _inject_noise(ctx, year, provinces, noisy, prov, answers, interviewer,
                            n_interviewers, start, end)
    result = scores(indicator_means(answers, valid, prov, n_prov, weight, m), m)[1]
    final = np.where(asked, answers, -1)  # -1: not asked, a blank cell
    final = np.where(dont_know, DONT_KNOW, np.where(refused, REFUSED, final))
    scale_values = _out_of_scale_values(ctx, year, scale_cells, m)
    final[scale_cells] = scale_values
    relative = _write_files(ctx, year, provinces, design, m, final, weight, interviewer, start,
                            end)
    if len(scale_cells[0]):
        ctx.truth.add_defect(
            "survey_answer_out_of_scale", "consistency", relative,
            [int(r) + 1 for r in scale_cells[0]], survey="papi", year=year,
            question_codes=[m.indicators[c].code for c in scale_cells[1]],
            values=[int(v) for v in scale_values])
    for kind, hit, details in defects:
        ctx.truth.add_defect(kind, "anomaly", relative, hit, **details)
    return {str(c): float(t) for c, t in zip(codes, result, strict=True)}


def _out_of_scale_cells(ctx: SampleContext, year: int, answered: np.ndarray,
                        excluded_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A few answered cells that will carry an impossible code, chosen before calibration so
    the calibration sees what the warehouse will see (never in a noisy province's rows)."""
    share = ctx.config.defects.survey_out_of_scale_share
    rng = ctx.rng(f"papi.{year}.out_of_scale")
    rows = np.flatnonzero(~excluded_rows)
    k = min(len(rows), max(1, round(share * len(answered)))) if share > 0 else 0
    chosen = np.sort(rng.choice(rows, k, replace=False))
    cols = np.array([rng.choice(np.flatnonzero(answered[r])) if answered[r].any() else 0
                     for r in chosen], dtype=np.int64)
    return chosen, cols


def _out_of_scale_values(ctx: SampleContext, year: int, cells: tuple[np.ndarray, np.ndarray],
                         m: Methodology) -> np.ndarray:
    rng = ctx.rng(f"papi.{year}.out_of_scale_values")
    return np.array([rng.choice(OUT_OF_SCALE[min(m.indicators[c].points, 5)])
                     for c in cells[1]], dtype=np.int64)


def _bisect(score: Callable[[np.ndarray], np.ndarray], lo_target: np.ndarray,
            hi_target: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Per-province latent shifts putting each (monotone) total inside its window, best effort."""
    size = len(lo_target)
    lo, hi = np.full(size, -2.0), np.full(size, 2.0)
    shift, done = np.zeros(size), np.zeros(size, dtype=bool)
    for _ in range(iterations):  # a bounded bisection
        value = score(shift)
        done |= (value >= lo_target) & (value <= hi_target)
        if done.all():
            break
        lo = np.where(~done & (value < lo_target), shift, lo)
        hi = np.where(~done & (value > hi_target), shift, hi)
        shift = np.where(done, shift, (lo + hi) / 2)
    return shift


def _calibrate(codes: np.ndarray, noisy: dict[str, str], code: str, target: float, rank: int,
               totals: Callable[..., np.ndarray], shift: np.ndarray, weight: np.ndarray,
               prov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shifts (and, last, a few of the province's own sampling weights) that give `code` the
    published total and rank among the scored provinces: the others are first moved as one so
    that the published total falls between the rank−1-th and rank-th of them, the few near it
    pushed clear of it, then the province itself brought onto the total."""
    n_prov = len(codes)
    p = int(np.flatnonzero(codes == code)[0])
    others = np.array([c != code and c not in noisy for c in codes])
    if others.sum() < rank:
        return shift, weight
    inf = np.full(n_prov, np.inf)

    def boundary(common: np.ndarray) -> np.ndarray:
        values = np.sort(totals(shift + common[0])[others])[::-1]
        return np.array([(values[rank - 2] + values[rank - 1]) / 2 if rank >= 2
                         else values[0] + 0.5])

    common = _bisect(boundary, np.array([target - 0.01]), np.array([target + 0.01]))[0]
    shift = shift + common
    values = totals(shift)
    above = np.zeros(n_prov, dtype=bool)
    above[np.flatnonzero(others)[np.argsort(-values[others])[: rank - 1]]] = True
    below = others & ~above
    lo = np.where(above & (values < target + 0.08), target + 0.08, -inf)
    hi = np.where(above & (values < target + 0.08), target + 0.6, inf)
    lo = np.where(below & (values > target - 0.08), target - 0.6, lo)
    hi = np.where(below & (values > target - 0.08), target - 0.08, hi)
    lo[p], hi[p] = target - 0.04, target + 0.04
    shift = shift + _bisect(lambda s: totals(shift + s), lo, hi)
    return shift, _tune_weights(p, target, totals, shift, weight, prov)


def _tune_weights(p: int, target: float, totals: Callable[..., np.ndarray], shift: np.ndarray,
                  weight: np.ndarray, prov: np.ndarray) -> np.ndarray:
    """The last step onto the published total: the answers are discrete, so the province's
    total is moved continuously by scaling the weights of half its respondents (the weights
    stay positive and keep four decimals, as the export writes them)."""
    rows = np.flatnonzero(prov == p)
    half = rows[: len(rows) // 2 or 1]

    def total_with(factor: float) -> float:
        w = weight.copy()
        w[half] = np.round(w[half] * factor, 4)
        return float(totals(shift, w)[p])

    low, high = 0.2, 5.0
    rising = total_with(high) > total_with(low)
    for _ in range(60):  # bisection on the factor (continuous up to the 4-decimal weights)
        middle = (low + high) / 2
        value = total_with(middle)
        if abs(value - target) < 0.0012:
            break
        if (value < target) == rising:
            low = middle
        else:
            high = middle
    tuned = weight.copy()
    tuned[half] = np.round(tuned[half] * middle, 4)
    return tuned


def _interviewers(rng: np.random.Generator, prov: np.ndarray, n_prov: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """4–6 interviewers per province sharing its interviews almost evenly."""
    counts = rng.integers(4, 7, n_prov)
    interviewer = np.zeros(len(prov), dtype=np.int64)
    for p in range(n_prov):  # one short loop per province
        rows = np.flatnonzero(prov == p)
        interviewer[rows] = rng.permutation(np.resize(np.arange(1, counts[p] + 1), len(rows)))
    return interviewer, counts


def _times(rng: np.random.Generator, days: np.ndarray, prov: np.ndarray, n_prov: int,
           duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each province's team works a block of about three weeks, in office hours."""
    span = min(15, len(days))
    first = rng.integers(0, len(days) - span + 1, n_prov)
    day = days[first[prov] + rng.integers(0, span, len(prov))]
    start_of_day = DAY_START + rng.random(len(prov)) * np.maximum(DAY_END - DAY_START - duration, 0)
    start = day * 86400 + start_of_day.astype(np.int64)
    return start, start + duration


def _inject_noise(ctx: SampleContext, year: int, provinces: tuple[Province, ...],
                  noisy: dict[str, str], prov: np.ndarray, answers: np.ndarray,
                  interviewer: np.ndarray, n_interviewers: np.ndarray, start: np.ndarray,
                  end: np.ndarray) -> list[tuple[str, list[int], dict[str, object]]]:
    """The noise of the rounds that left provinces unscored, in exactly those provinces; values
    change, rows keep their place (the ground truth lists 1-based rows)."""
    rng = ctx.rng(f"papi.{year}.noise")
    codes = [p.code for p in provinces]
    out: list[tuple[str, list[int], dict[str, object]]] = []
    for code, kind in sorted(noisy.items()):  # two provinces a round
        if code not in codes:
            continue
        p = codes.index(code)
        rows = np.flatnonzero(prov == p)
        n = len(rows)
        details: dict[str, object] = {"province_code": code, "code_system": GSO63, "year": year,
                                      "survey": "papi"}
        if kind == "survey_dominant_interviewer":
            star = int(rng.integers(1, n_interviewers[p] + 1))
            take = rng.choice(rows, round(0.75 * n), replace=False)
            interviewer[take] = star
            hit = rows[interviewer[rows] == star]
            details |= {"interviewer_id": f"PV{code}-{star:02d}",
                        "interviewer_share": round(len(hit) / n, 4)}
        elif kind == "survey_straight_lining":
            hit = np.sort(rng.choice(rows, round(0.4 * n), replace=False))
            answers[hit] = 1  # the one code every scale has: "1" to everything asked
            details |= {"straight_lining_share": round(len(hit) / n, 4)}
        else:
            hit = np.sort(rng.choice(rows, round(0.5 * n), replace=False))
            end[hit] = start[hit] + rng.integers(300, 541, len(hit))  # 5–9 minutes
            details |= {"short_interview_share": round(len(hit) / n, 4), "max_minutes": 9}
        out.append((kind, sorted(int(r) + 1 for r in hit), details))
    return out


# --- the contractor's files ------------------------------------------------------------------

VALUE_LABELS = {
    2: "0=Không; 1=Có",
    4: "1=Hoàn toàn không đồng ý; 2=Không đồng ý; 3=Đồng ý; 4=Hoàn toàn đồng ý",
    5: "1=Rất kém; 2=Kém; 3=Trung bình; 4=Tốt; 5=Rất tốt",
}
DESIGN_CODEBOOK = (
    ("wave", "Đợt khảo sát", None, None, None),
    ("year", "Năm khảo sát", None, None, None),
    ("prov", "Mã tỉnh, thành phố", None, None, None),
    ("dist", "Mã quận, huyện (đến năm 2025)", None, None, None),
    ("comm", "Mã xã, phường, thị trấn", None, None, None),
    ("vill", "Mã thôn, tổ dân phố được chọn mẫu", None, None, None),
    ("respid", "Mã người trả lời", None, None, None),
    ("intvid", "Mã điều tra viên", None, None, None),
    ("start_time", "Thời điểm bắt đầu phỏng vấn (giờ Việt Nam)", None, None, None),
    ("end_time", "Thời điểm kết thúc phỏng vấn (giờ Việt Nam)", None, None, None),
    ("weight", "Quyền số hậu phân tầng", None, None, None),
    ("gender", "Giới tính", "1=Nam; 2=Nữ", 1, 2),
    ("birthyr", "Năm sinh", None, None, None),
    ("ethnic", "Dân tộc", "1=Kinh; 2=Dân tộc khác", 1, 2),
    ("educ", "Trình độ học vấn", "1=Chưa đi học; 2=Tiểu học; 3=Trung học cơ sở; "
     "4=Trung học phổ thông; 5=Cao đẳng, đại học; 6=Sau đại học", 1, 6),
)


def _write_files(ctx: SampleContext, year: int, provinces: tuple[Province, ...], design: Design,
                 m: Methodology, final: np.ndarray, weight: np.ndarray, interviewer: np.ndarray,
                 start: np.ndarray, end: np.ndarray) -> str:
    """The wave's data file and its codebook; returns the data file's inbox path."""
    rng = ctx.rng(f"papi.{year}.demographics")
    n = len(design.prov)
    codes = np.array([p.code for p in provinces])[design.prov]
    seq = np.arange(n) - np.repeat(np.cumsum(design.sizes) - design.sizes, design.sizes) + 1
    has_districts = provinces[0].code_system == GSO63
    if year == 2024:
        dialect, suffix = "excel_serial", "xlsx"
    else:
        dialect, suffix = (DMY, "csv") if has_districts else (ISO_OFFSET, "csv")

    def times(values: np.ndarray) -> pa.Array:
        local = values.astype("datetime64[s]")
        return excel_serial(local) if dialect == "excel_serial" else format_timestamps(
            local, dialect)

    columns: dict[str, pa.Array] = {
        "wave": pa.array([f"PAPI{year}"] * n),
        "year": pa.array(np.full(n, year)),
        "prov": pa.array(codes),
    }
    if has_districts:
        columns["dist"] = pa.array(design.district)
    columns |= {
        "comm": pa.array(design.commune),
        "vill": pa.array(design.village),
        "respid": pa.array(np.strings.add(np.strings.add(str(year), codes),
                                          np.strings.zfill(seq.astype(np.str_), 4))),
        "intvid": pa.array(np.strings.add(np.strings.add(np.strings.add("PV", codes), "-"),
                                          np.strings.zfill(interviewer.astype(np.str_), 2))),
        "start_time": times(start),
        "end_time": times(end),
        "weight": pa.array(weight),
        "gender": pa.array(rng.choice([1, 2], n, p=[0.49, 0.51])),
        "birthyr": pa.array(year - np.clip(rng.normal(45, 13, n), 18, 85).astype(np.int64)),
        "ethnic": pa.array(rng.choice([1, 2], n, p=[0.84, 0.16])),
        "educ": pa.array(rng.choice(EDUCATION_CODES, n, p=EDUCATION_P)),
    }
    for j, ind in enumerate(m.indicators):
        columns[ind.code] = pa.array(final[:, j], mask=final[:, j] == -1)
    relative = f"surveys/papi/papi_{year}.{suffix}"
    ctx.write(pa.table(columns), relative, FAMILY,
              timestamp_format=dialect,
              note="PAPI microdata, SPSS-style wide export: one row per respondent, numeric codes, "
                   "blank = not asked, 98/99 = missing codes of the codebook")

    book = [(v, label, labels, lo, hi, None) for v, label, labels, lo, hi in DESIGN_CODEBOOK
            if v != "dist" or has_districts]
    book += [(i.code, i.name, VALUE_LABELS[min(i.points, 5)], i.scale_min, i.scale_max,
              f"{DONT_KNOW};{REFUSED}") for i in m.indicators]
    codebook = pa.table({
        "year": pa.array([year] * len(book), pa.int64()),
        "variable": [b[0] for b in book],
        "label": [b[1] for b in book],
        "value_labels": [b[2] for b in book],
        "valid_min": pa.array([b[3] for b in book], pa.int64()),
        "valid_max": pa.array([b[4] for b in book], pa.int64()),
        "missing_values": [b[5] for b in book],
    })
    ctx.write(codebook, f"surveys/papi/papi_{year}_codebook.{suffix}", FAMILY,
              note="the contractor's codebook of the wave (variable view)")
    return relative
