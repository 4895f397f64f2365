"""Dossiers of the one-stop shops: their life, as the national portal's sync format shows it.

Dossiers are drawn window by window (about a month of submissions, fewer days when a month
holds more than `batch_dossiers`), each window from its own random streams, so that memory
follows the window and not the sample. The plan fixes what spans windows first: how many
dossiers each day receives, the provinces' and agencies' weights and punctuality, and the
planted anomalies. Within a window everything is computed on whole arrays; strings are kept
as small integer codes (and ids, identity numbers and phones as fixed-width bytes) until the
exporter writes them. Times are int64 seconds of Asia/Ho_Chi_Minh wall-clock time; NAT marks
"not (yet) happened".

Due-date convention (shared with the warehouse): the due date is the N-th working day after
the day of receipt at the same clock time for procedures timed in working days; receipt
plus N calendar days, N hours or N calendar months for the other units.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from foundation.calendar import EPOCH
from foundation.reference import GSO34, GSO63, MERGER_DATE, provinces_gso34, provinces_gso63
from sample_generator import people
from sample_generator.arrow_text import put_digits, put_text
from sample_generator.catalogue import LEVELS, Agencies, Catalogue
from sample_generator.context import SampleContext

NAT = np.iinfo(np.int64).min
DAY = 86_400
HOUR = 3_600
MERGER_DAY = (MERGER_DATE - EPOCH).days

OUTCOMES = ("processed", "refused", "withdrawn", "stopped")
END_STATUS = np.array([9, 3, 7, 8])  # TrangThaiHoSo after each outcome
END_EVENT = np.array(["DA_XU_LY", "TU_CHOI", "RUT_HO_SO", "DUNG_XU_LY"])
RATINGS = ("", "rat_hai_long", "hai_long", "khong_hai_long")

# A vendor system per province, each with its own export dialect (see `exports.py`).
VENDORS = ("vnpt_igate", "dvcqg_sync", "viettel_motcua")
VENDOR_P = (0.45, 0.35, 0.20)
# every province code either system uses (the 34 kept codes of the 63): dossiers hold an index
PROVINCE_CODES = np.array(sorted(p.code for p in provinces_gso63()))
CODE_SYSTEMS = np.array([GSO63, GSO34])


def day_of(seconds: np.ndarray) -> np.ndarray:
    return np.floor_divide(seconds, DAY)


def province_index(codes: np.ndarray | list[str]) -> np.ndarray:
    return np.searchsorted(PROVINCE_CODES, np.asarray(codes, dtype=PROVINCE_CODES.dtype))


@dataclass
class Dossiers:
    """One entry per dossier; column arrays of equal length, ordered by submission time.
    Text is held as codes: `province` indexes PROVINCE_CODES, `agency` the agencies,
    `vendor` VENDORS, `level` LEVELS, `rating` RATINGS; the string views are properties."""

    id: np.ndarray  # S16: H01-240105-00012
    province: np.ndarray
    gso34: np.ndarray  # the code system in force on the submission day
    vendor_index: np.ndarray
    agency_index: np.ndarray
    level_index: np.ndarray
    procedure: np.ndarray  # index into the catalogue
    channel: np.ndarray  # 1 in person, 2 online, 3 postal
    submitted: np.ndarray
    received: np.ndarray
    due: np.ndarray
    due_sent: np.ndarray  # the due date the system exports (a few planted inconsistencies)
    outcome: np.ndarray  # index into OUTCOMES
    ended: np.ndarray  # processing end (NAT while open)
    returned: np.ndarray
    supplement_requested: np.ndarray  # (n, 2): first and second request
    supplement_completed: np.ndarray
    apology: np.ndarray
    apology_new_due: np.ndarray
    transferred: np.ndarray
    paid_online: np.ndarray  # 0 no, 1 national portal, 2 other gateway
    has_digitised_part: np.ndarray
    digitised: np.ndarray
    reused: np.ndarray
    electronic_result: np.ndarray
    vneid: np.ndarray
    rating_index: np.ndarray  # 0 when not rated
    complaint: np.ndarray
    name: people.Names
    applicant_cccd: np.ndarray  # S12
    applicant_phone: np.ndarray  # S10
    handler: np.ndarray  # staff number, written CB0042
    certified_copy: np.ndarray  # an electronic certified copy was issued
    population_data: np.ndarray  # used data of the national population database
    personal_store: np.ndarray  # digitised data shared to the applicant's store on the portal
    sync_delay: np.ndarray  # seconds between a version and its arrival at the national portal
    agency_codes: np.ndarray  # every agency's code (shared, not per dossier)

    def __len__(self) -> int:
        return len(self.id)

    def take(self, index: np.ndarray) -> Dossiers:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return Dossiers(**{name: value if name == "agency_codes"
                           else value.take(index) if name == "name" else value[index]
                           for name, value in values.items()})

    @staticmethod
    def concat(parts: list[Dossiers]) -> Dossiers:
        first = parts[0]
        out = {}
        for f in dataclasses.fields(first):
            values = [getattr(p, f.name) for p in parts]
            if f.name == "agency_codes":
                out[f.name] = values[0]
            elif f.name == "name":
                out[f.name] = people.Names.concat(values)
            else:
                out[f.name] = np.concatenate(values)
        return Dossiers(**out)

    @property
    def province_code(self) -> np.ndarray:
        return PROVINCE_CODES[self.province]

    @property
    def code_system(self) -> np.ndarray:
        return CODE_SYSTEMS[self.gso34.astype(np.int8)]

    @property
    def vendor(self) -> np.ndarray:
        return np.array(VENDORS)[self.vendor_index]

    @property
    def agency(self) -> np.ndarray:
        return self.agency_codes[self.agency_index].astype(str)

    @property
    def level(self) -> np.ndarray:
        return np.array(LEVELS)[self.level_index]

    @property
    def rating(self) -> np.ndarray:
        return np.array(RATINGS)[self.rating_index]


@dataclass(frozen=True)
class Window:
    """Days [first_day, last_day] (numbers since 1970) and the dossiers submitted in them."""

    first_day: int
    last_day: int
    counts: np.ndarray  # dossiers drawn per day

    @property
    def start(self) -> int:
        return self.first_day * DAY

    @property
    def end(self) -> int:  # exclusive
        return (self.last_day + 1) * DAY


@dataclass(frozen=True)
class DossierPlan:
    """What spans windows, fixed before the first dossier is drawn."""

    first_day: int
    last_day: int
    day_counts: np.ndarray  # dossiers per day of [first_day, last_day]
    p63: np.ndarray  # province weights (gso63 codes, in provinces_gso63() order)
    province63: np.ndarray  # their PROVINCE_CODES indexes
    p34: np.ndarray
    province34: np.ndarray
    agency_group: np.ndarray  # per agency: (code system, province, level) as one integer
    agency_province: np.ndarray
    agency_gso34: np.ndarray
    late_by_agency: np.ndarray
    mismatch_provinces: np.ndarray  # PROVINCE_CODES indexes
    close_at_due: np.ndarray  # agency indexes
    supplement_on_last_day: np.ndarray
    gap_province: int
    gap_start: int  # day number
    vendor_of: np.ndarray  # (2 code systems, len(PROVINCE_CODES)) -> VENDORS index
    level_bits: np.ndarray  # per level: procedures handled there (index arrays)
    not_online: np.ndarray  # per procedure: no online service at all
    full_online: np.ndarray
    agency_codes: np.ndarray


LEVEL_P_BEFORE = (0.3, 0.35, 0.35)
LEVEL_P_AFTER = (0.38, 0.0, 0.62)


def _day_weights(ctx: SampleContext, days: np.ndarray) -> np.ndarray:
    """Volume follows the week and the year: Tết slump, rush before Tết, end-of-year peak."""
    cal = ctx.calendar
    dates = [EPOCH + dt.timedelta(int(d)) for d in days]
    weekday = np.array([d.weekday() for d in dates])
    working = cal.is_working(days)
    weights = np.where(working, 1.0, np.where(weekday == 6, 0.05, 0.12))
    # Tết of every year of the calendar, so that a window near the sample's edges still counts
    tet_days = np.array([(d - EPOCH).days for d in cal.days
                         if "Lunar New Year" in (cal.holiday_name(d) or "")])
    for first in tet_days[np.r_[True, np.diff(tet_days) > 1]]:
        weights[(days >= first - 10) & (days < first)] *= 1.35
        weights[(days > first + 7) & (days <= first + 17)] *= 0.7
    month = np.array([d.month for d in dates])
    weights *= np.select([month == 12, month == 11, month == 1], [1.3, 1.12, 1.08], 1.0)
    year = np.array([d.year for d in dates])
    weights *= 1.0 + 0.08 * (year - year.min())
    return weights


def _province_weights(rng: np.random.Generator) -> dict[str, float]:
    weights = {p.code: float(rng.lognormal(0.0, 0.55)) for p in provinces_gso63()}
    for big in ("01", "79"):
        weights[big] *= 4.0
    return weights


def _group_key(gso34: np.ndarray, province: np.ndarray, level: np.ndarray) -> np.ndarray:
    return (np.asarray(gso34, np.int64) * 1000 + np.asarray(province, np.int64)) * 10 \
        + np.asarray(level, np.int64)


def plan_dossiers(ctx: SampleContext, cat: Catalogue, agencies: Agencies) -> DossierPlan:
    cfg = ctx.config
    first_day, last_day = (cfg.start - EPOCH).days, (cfg.end - EPOCH).days
    days = np.arange(first_day, last_day + 1)
    day_w = _day_weights(ctx, days)
    day_counts = ctx.rng("dossier-days").multinomial(cfg.dossiers, day_w / day_w.sum())

    weights63 = _province_weights(ctx.rng("province-weights"))
    codes63 = list(weights63)
    w63 = np.array(list(weights63.values()))
    successor = {p.code: p.successor_code for p in provinces_gso63()}
    codes34 = [p.code for p in provinces_gso34()]
    w34 = np.array([sum(w for c, w in weights63.items() if successor[c] == new)
                    for new in codes34])
    p63, p34 = w63 / w63.sum(), w34 / w34.sum()
    province63, province34 = province_index(codes63), province_index(codes34)

    agency_gso34 = agencies.code_system.astype(str) == GSO34
    agency_province = province_index(agencies.province_code.astype(str))
    agency_level = np.array([LEVELS.index(str(x)) for x in agencies.level])
    agency_group = _group_key(agency_gso34, agency_province, agency_level)

    late_by_agency = ctx.rng("dossier-punctuality").beta(1.2, 25, len(agencies.code))

    rng_anom = ctx.rng("dossier-anomalies")
    defects = cfg.defects
    not_big = np.flatnonzero(~np.isin(np.array(codes34), ["01", "79"]))
    mismatch = province34[rng_anom.choice(not_big, defects.self_report_mismatch_provinces,
                                          replace=False)]
    # gaming agencies among the busiest tenth, by the volume they can expect
    before = int(day_counts[days < MERGER_DAY].sum())
    after = int(day_counts.sum()) - before
    group_size = {k: int(v) for k, v in zip(*np.unique(agency_group, return_counts=True),
                                             strict=True)}
    p_province = np.zeros((2, len(PROVINCE_CODES)))
    p_province[0, province63] = p63
    p_province[1, province34] = p34
    p_level = np.array([LEVEL_P_BEFORE, LEVEL_P_AFTER])
    volume = np.where(agency_gso34, after, before).astype(float)
    share = p_province[agency_gso34.astype(int), agency_province] \
        * p_level[agency_gso34.astype(int), agency_level]
    expected = volume * share / np.array([group_size[int(g)] for g in agency_group])
    eligible = np.flatnonzero(expected >= np.quantile(expected[expected > 0], 0.9))
    chosen = rng_anom.choice(eligible, 2 * defects.gaming_agencies, replace=False)

    # a sync gap: one province's system sends nothing for several days after the merger
    free = province34[~np.isin(province34, mismatch)]
    gap_province = int(rng_anom.choice(free))
    gap_start = int(rng_anom.integers(max(MERGER_DAY, first_day) + 30,
                                      max(MERGER_DAY, first_day) + 120))

    vendor_rng = ctx.rng("vendors")
    vendor_of = np.zeros((2, len(PROVINCE_CODES)), np.int8)
    for p in provinces_gso63():
        vendor_of[0, province_index([p.code])[0]] = vendor_rng.choice(len(VENDORS), p=VENDOR_P)
    # the new province keeps the system of the old province that hosts its seat (same code)
    vendor_of[1] = vendor_of[0]

    level_bits = np.array([1 << i for i in range(len(LEVELS))])
    return DossierPlan(
        first_day=first_day, last_day=last_day, day_counts=day_counts,
        p63=p63, province63=province63, p34=p34, province34=province34,
        agency_group=agency_group, agency_province=agency_province, agency_gso34=agency_gso34,
        late_by_agency=late_by_agency, mismatch_provinces=mismatch,
        close_at_due=chosen[: defects.gaming_agencies],
        supplement_on_last_day=chosen[defects.gaming_agencies:],
        gap_province=gap_province, gap_start=gap_start, vendor_of=vendor_of,
        level_bits=level_bits, not_online=cat.online_level.astype(str) == "khong",
        full_online=cat.online_level.astype(str) == "toan_trinh",
        agency_codes=np.asarray(agencies.code, dtype=object))


def windows(ctx: SampleContext, plan: DossierPlan) -> list[Window]:
    """About a month of days each (fewer when they hold more than `batch_dossiers`). A window
    ends on a working day (or the sample's last day), so that a desk visit drawn on a weekend
    moves to a working day of its own window and ids number each day within one window."""
    working = ctx.calendar.is_working(np.arange(plan.first_day, plan.last_day + 1))
    out: list[Window] = []
    first, count = plan.first_day, 0
    for day in range(plan.first_day, plan.last_day + 1):
        i = day - plan.first_day
        count += int(plan.day_counts[i])
        last = day == plan.last_day
        if not last and not working[i]:
            continue
        next_work = day + 1 + int(np.argmax(working[i + 1:])) if working[i + 1:].any() else None
        month_ends = next_work is None or (EPOCH + dt.timedelta(next_work)).month != (
            EPOCH + dt.timedelta(day)).month
        if last or count >= ctx.config.batch_dossiers or month_ends:
            out.append(Window(first, day, plan.day_counts[first - plan.first_day:i + 1]))
            first, count = day + 1, 0
    if len(out) > 1 and not working[out[-1].first_day - plan.first_day:].any():
        # trailing days without a working day join the window before them
        tail = out.pop()
        head = out.pop()
        out.append(Window(head.first_day, tail.last_day, np.r_[head.counts, tail.counts]))
    return out


def _choose_within_groups(
    rng: np.random.Generator,
    member_group: np.ndarray,
    wanted_group: np.ndarray,
    member_weight: np.ndarray | None = None,
) -> np.ndarray:
    """For each wanted group key, a random member index of that group (by weight)."""
    order = np.argsort(member_group, kind="stable")
    sorted_groups = member_group[order]
    weight = np.ones(len(order)) if member_weight is None else member_weight[order]
    keys, starts = np.unique(sorted_groups, return_index=True)
    cum = np.cumsum(weight)
    group_pos = np.searchsorted(keys, wanted_group)
    if np.any(keys[np.clip(group_pos, 0, len(keys) - 1)] != wanted_group):
        raise ValueError("a dossier falls in a group without members")
    ends = np.r_[starts[1:], len(order)]
    lo = np.where(starts[group_pos] > 0, cum[starts[group_pos] - 1], 0.0)
    hi = cum[ends[group_pos] - 1]
    pick = np.searchsorted(cum, lo + rng.random(len(wanted_group)) * (hi - lo), side="right")
    return order[np.minimum(pick, ends[group_pos] - 1)]


def _add_months(seconds: np.ndarray, months: np.ndarray) -> np.ndarray:
    days = day_of(seconds).astype("datetime64[D]")
    month_start = days.astype("datetime64[M]")
    offset = days - month_start.astype("datetime64[D]")
    target = (month_start + months).astype("datetime64[D]") + offset
    last = (month_start + months + 1).astype("datetime64[D]") - 1
    clock = seconds - day_of(seconds) * DAY
    return np.minimum(target, last).astype(np.int64) * DAY + clock


def due_dates(ctx: SampleContext, received: np.ndarray, value: np.ndarray,
              unit: np.ndarray) -> np.ndarray:
    """Due date from the legal processing time, by the convention in the module docstring."""
    day, clock = day_of(received), received % DAY
    due = np.empty_like(received)
    wd = unit == "ngay_lam_viec"
    due[wd] = ctx.calendar.add_working_days(day[wd], value[wd]) * DAY + clock[wd]
    cal_days = unit == "ngay"
    due[cal_days] = received[cal_days] + value[cal_days] * DAY
    hours = unit == "gio"
    due[hours] = received[hours] + value[hours] * HOUR
    months = unit == "thang"
    due[months] = _add_months(received[months], value[months])
    return due


def draw_window(ctx: SampleContext, cat: Catalogue, plan: DossierPlan,
                window: Window) -> tuple[Dossiers, int]:
    """The dossiers submitted in one window, in submission order, ids assigned, the planted
    anomalies applied and the sync gap's dossiers left out (and how many those were)."""
    cal = ctx.calendar
    tag = f"{EPOCH + dt.timedelta(window.first_day)}"
    rng = ctx.rng(f"dossiers:{tag}")
    rng_anom = ctx.rng(f"dossier-anomalies:{tag}")
    n = int(window.counts.sum())
    sub_day = np.repeat(np.arange(window.first_day, window.last_day + 1), window.counts)

    # province: among the 63 before the merger, the 34 after, volumes carried forward
    before = sub_day < MERGER_DAY
    province = np.where(before, plan.province63[rng.choice(len(plan.p63), n, p=plan.p63)],
                        plan.province34[rng.choice(len(plan.p34), n, p=plan.p34)])
    gso34 = ~before

    # level and agency; no district level after the merger
    level = np.where(before, rng.choice(3, n, p=LEVEL_P_BEFORE),
                     rng.choice(3, n, p=LEVEL_P_AFTER))
    agency = _choose_within_groups(rng, plan.agency_group, _group_key(gso34, province, level))

    # procedure handled at that level, by popularity
    proc = np.empty(n, dtype=np.int64)
    for i in range(len(LEVELS)):
        mask = level == i
        candidates = np.flatnonzero(cat.levels & plan.level_bits[i])
        p = cat.popularity[candidates] / cat.popularity[candidates].sum()
        proc[mask] = candidates[rng.choice(len(candidates), int(mask.sum()), p=p)]
    not_online, full_online = plan.not_online[proc], plan.full_online[proc]
    year = sub_day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970

    # channel: online grows year on year and where the service is fully online
    p_online = np.where(year >= 2025, 0.58, 0.44) + np.where(full_online, 0.2, 0)
    u = rng.random(n)
    channel = np.where(not_online, np.where(u < 0.95, 1, 3),
                       np.where(u < p_online, 2, np.where(u < p_online + 0.04, 3, 1)))

    # submission time: desks open on working days only; online any hour
    working = cal.is_working(sub_day)
    next_work = cal.add_working_days(sub_day, 1)
    prev_work = cal.working_day_numbers[
        np.searchsorted(cal.working_day_numbers, sub_day, side="right") - 1]
    desk = channel != 2
    # the desk is closed: the visit happens on the next working day of the window (the
    # window ends on a working day; at the sample's end, the working day before)
    sub_day = np.where(desk & ~working,
                       np.where(next_work <= window.last_day, next_work, prev_work), sub_day)
    clock = np.where(desk, rng.integers(int(7.5 * HOUR), 17 * HOUR, n),
                     rng.integers(6 * HOUR, 23 * HOUR, n))
    submitted = sub_day * DAY + clock

    # receipt: at the desk at once; online and postal within hours, or next working day
    same_day = desk | (cal.is_working(sub_day) & (clock < 16 * HOUR))
    recv_next = cal.add_working_days(sub_day, 1) * DAY + rng.integers(8 * HOUR, 10 * HOUR, n)
    recv_same = np.minimum(submitted + rng.integers(1_800, 4 * HOUR, n), sub_day * DAY + 17 * HOUR)
    received = np.where(desk, submitted, np.where(same_day, recv_same, recv_next))
    received = np.maximum(received, submitted)
    due = due_dates(ctx, received, cat.time_value[proc], cat.time_unit[proc])
    span = (due - received).astype(np.float64)

    # agency punctuality; one province is much later than it reports
    late_p = plan.late_by_agency[agency]
    late_p = np.where(np.isin(province, plan.mismatch_provinces) & gso34, 0.16, late_p)

    outcome = rng.choice(4, n, p=[0.976, 0.012, 0.008, 0.004])
    n_supp = rng.choice(3, n, p=[0.915, 0.075, 0.01])
    kind = rng.random(n)
    frac = np.where(kind < late_p, 1.0 + rng.exponential(0.25, n) + 0.01,
                    np.where(kind < late_p + 0.14, rng.uniform(0.9, 1.0, n),
                             rng.beta(2.0, 3.0, n) * 0.9))
    frac = np.where(outcome == 0, frac, rng.uniform(0.05, 0.9, n))
    waits = np.where(np.arange(2) < n_supp[:, None],
                     (rng.exponential(3.0, (n, 2)) * DAY + 2 * HOUR).astype(np.int64), 0)
    req1 = received + (rng.uniform(0.05, 0.6, n) * np.minimum(frac, 1.0) * span).astype(np.int64)
    done1 = req1 + waits[:, 0]
    req2 = done1 + (rng.uniform(0.02, 0.2, n) * span).astype(np.int64)
    done2 = req2 + waits[:, 1]
    ended = received + (frac * span).astype(np.int64) + waits.sum(axis=1)
    ended = np.where(n_supp == 2, np.maximum(ended, done2 + HOUR), ended)
    # staff close dossiers in office hours
    ended = np.maximum(day_of(ended) * DAY + np.clip(ended % DAY, int(7.5 * HOUR), 17 * HOUR),
                       received + 60)

    # gaming agencies: close exactly at the due minute; pause the clock on the last day
    gamed = rng_anom.random(n) < 0.45
    in_close = np.isin(agency, plan.close_at_due) & (outcome == 0) & (n_supp == 0) & gamed
    ended = np.where(in_close, due, ended)
    in_pause = (np.isin(agency, plan.supplement_on_last_day) & (outcome == 0) & (n_supp == 0)
                & gamed)
    last_day_req = (day_of(due) * DAY + rng.integers(8 * HOUR, 16 * HOUR, n))
    last_day_req = np.minimum(last_day_req, due - 600)
    pause_wait = (rng.uniform(1.0, 6.0, n) * DAY).astype(np.int64)
    n_supp = np.where(in_pause, 1, n_supp)
    req1 = np.where(in_pause, last_day_req, req1)
    done1 = np.where(in_pause, last_day_req + pause_wait, done1)
    ended = np.where(in_pause, done1 + (rng.uniform(0.1, 0.5, n) * DAY).astype(np.int64), ended)

    # apology letters for late dossiers, mostly sent before the due date
    effective_end = ended - np.where(n_supp >= 1, done1 - req1, 0) - np.where(
        n_supp == 2, done2 - req2, 0)
    late = (outcome == 0) & ((effective_end > due) | (n_supp == 2))
    apologise = late & (rng.random(n) < 0.6)
    before_due = rng.random(n) < 0.75
    apology = np.where(
        before_due,
        due - (rng.uniform(0.02, 0.3, n) * span).astype(np.int64),
        due + (rng.uniform(0.05, 0.5, n) * np.maximum(ended - due, HOUR)).astype(np.int64),
    )
    apology = np.clip(apology, received + 60, np.maximum(ended - 60, received + 60))
    extra_days = np.ceil(np.maximum(ended - due, 0) / DAY).astype(np.int64) + 1
    new_due = cal.add_working_days(day_of(due), extra_days) * DAY + due % DAY

    # result returned: electronically at once, on paper within days
    paper = cat.paper_result[proc]
    e_result = (outcome == 0) & (rng.random(n) < np.where(channel == 2, 0.8, 0.35))
    returned_at = ended + np.where(e_result & ~paper, rng.integers(60, 2 * HOUR, n),
                                   rng.integers(2 * HOUR, 3 * DAY, n))
    returned = np.where(outcome == 0, returned_at, NAT)
    transferred = received + rng.integers(300, 4 * HOUR, n)

    fee = cat.fee_bearing[proc]
    pay = rng.random(n)
    paid_online = np.where(fee & (channel == 2) & (pay < 0.65), np.where(pay < 0.33, 1, 2),
                           np.where(fee & (channel != 2) & (pay < 0.05), 2, 0))
    has_digitised = rng.random(n) < 0.8
    digitised = has_digitised & (rng.random(n) < 0.85)
    reused = rng.random(n) < 0.3
    vneid = (channel == 2) & (rng.random(n) < np.where(year >= 2025, 0.85, 0.7))
    rated = (outcome == 0) & (rng.random(n) < 0.25)
    rating = np.where(rated, 1 + rng.choice(3, n, p=[0.55, 0.4, 0.05]), 0)
    complaint = (outcome == 0) & (rng.random(n) < np.where(late, 0.08, 0.01))

    # applicants (personal data) and handlers (staff codes, not personal data)
    name_rng = ctx.rng(f"applicants:{tag}")
    names = people.full_names(name_rng, n)
    birth = plan.province63[name_rng.choice(len(plan.p63), n, p=plan.p63)]
    birth = np.where(name_rng.random(n) < 0.8, np.where(before, province, birth), birth)
    cccd = people.citizen_ids(name_rng, PROVINCE_CODES[birth], names.female)
    phone = people.phone_numbers(name_rng, n)
    handler = rng.integers(1, 5000, n)

    certified_copy, population_data, personal_store, sync_delay = _digital_services(
        ctx.rng(f"dossier-digital:{tag}"), cat, proc, channel, vneid, digitised)

    # due dates sent that disagree with the legal time, kept in every version of the dossier
    due_sent = due.copy()
    rng_due = ctx.rng(f"dossier-due-defects:{tag}")
    in_working_days = np.flatnonzero(cat.time_unit[proc] == "ngay_lam_viec")
    shifted = rng_due.choice(in_working_days,
                             min(len(in_working_days),
                                 round(n * ctx.config.defects.due_date_inconsistent_share)),
                             replace=False)
    # 3 to 10 working days later (calendar days could land in Tết and add no working day)
    late_by = rng_due.integers(3, 11, len(shifted))
    due_sent[shifted] = (cal.add_working_days(day_of(due[shifted]), late_by) * DAY
                         + due[shifted] % DAY)

    dossiers = Dossiers(
        id=np.zeros(n, "S16"), province=province, gso34=gso34,
        vendor_index=plan.vendor_of[gso34.astype(np.int8), province],
        agency_index=agency, level_index=level, procedure=proc, channel=channel,
        submitted=submitted, received=received, due=due, due_sent=due_sent, outcome=outcome,
        ended=ended, returned=returned,
        supplement_requested=np.stack([np.where(n_supp >= 1, req1, NAT),
                                       np.where(n_supp >= 2, req2, NAT)], axis=1),
        supplement_completed=np.stack([np.where(n_supp >= 1, done1, NAT),
                                       np.where(n_supp >= 2, done2, NAT)], axis=1),
        apology=np.where(apologise, apology, NAT),
        apology_new_due=np.where(apologise, new_due, NAT),
        transferred=transferred, paid_online=paid_online, has_digitised_part=has_digitised,
        digitised=digitised, reused=reused, electronic_result=e_result, vneid=vneid,
        rating_index=rating, complaint=complaint, name=names, applicant_cccd=cccd,
        applicant_phone=phone, handler=handler, certified_copy=certified_copy,
        population_data=population_data, personal_store=personal_store, sync_delay=sync_delay,
        agency_codes=plan.agency_codes,
    ).take(np.lexsort((province, submitted)))
    dossiers.id = dossier_ids(dossiers.province, dossiers.gso34, day_of(dossiers.submitted))

    # a sync gap: one province's system sent nothing for several days
    sub_days = day_of(dossiers.submitted)
    gap_days = ctx.config.defects.sync_gap_days
    in_gap = ((dossiers.province == plan.gap_province) & dossiers.gso34
              & (sub_days >= plan.gap_start) & (sub_days < plan.gap_start + gap_days))
    if in_gap.any():
        return dossiers.take(np.flatnonzero(~in_gap)), int(in_gap.sum())
    return dossiers, 0


def _digital_services(rng: np.random.Generator, cat: Catalogue, proc: np.ndarray,
                      channel: np.ndarray, vneid: np.ndarray, digitised: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the portal's digitisation and publicity criteria count (issue 9), from a stream of
    their own (one per window, as every other per-window draw) so that every other attribute
    stays what it was: certified copies, use of the population database (only procedures
    connected to it), data shared to the applicant's store, and how long each version took to
    reach the portal (most within minutes, a few after a day or more)."""
    n = len(proc)
    certified_copy = rng.random(n) < np.where(channel == 2, 0.3, 0.15)
    population_data = cat.population_connected[proc] & (rng.random(n) < np.where(vneid, 0.9,
                                                                                    0.5))
    personal_store = digitised & (rng.random(n) < 0.6)
    kind = rng.choice(3, n, p=[0.88, 0.08, 0.04])
    sync_delay = np.select([kind == 0, kind == 1],
                           [rng.integers(60, 1_800, n), rng.integers(HOUR, 20 * HOUR, n)],
                           rng.integers(25 * HOUR, 96 * HOUR, n)).astype(np.int64)
    return certified_copy, population_data, personal_store, sync_delay


def gap_truth(ctx: SampleContext, plan: DossierPlan, missing: int) -> dict[str, object]:
    days = ctx.config.defects.sync_gap_days
    return {"province_code": str(PROVINCE_CODES[plan.gap_province]), "code_system": GSO34,
            "from": str(EPOCH + dt.timedelta(plan.gap_start)),
            "to": str(EPOCH + dt.timedelta(plan.gap_start + days - 1)),
            "dossiers_missing": missing}


def dossier_ids(province: np.ndarray, gso34: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Ids like H01-240105-00012: code system (H before the merger, M after), province, day
    and the running number that day (input is in submission order), as S16 bytes."""
    key = (day.astype(np.int64) * 2 + gso34) * 100 + province
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    seq = np.empty(len(key), dtype=np.int64)
    seq[order] = np.arange(len(key)) - group_start + 1
    if len(seq) and seq.max() > 99_999:
        raise ValueError("more than 99,999 dossiers in one province on one day")
    dates = day.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    matrix = np.empty((len(key), 16), np.uint8)
    matrix[:, 0] = np.where(gso34, ord("M"), ord("H"))
    codes = np.array([np.frombuffer(c.encode(), np.uint8) for c in PROVINCE_CODES])
    matrix[:, 1:3] = codes[province]
    put_text(matrix, 3, b"-")
    put_digits(matrix, 4, year % 100, 2)
    put_digits(matrix, 6, month, 2)
    put_digits(matrix, 8, dom, 2)
    put_text(matrix, 10, b"-")
    put_digits(matrix, 11, seq, 5)
    return matrix.view("S16").ravel()


def generate_dossiers(ctx: SampleContext, cat: Catalogue, agencies: Agencies) -> Dossiers:
    """Every dossier of a (small) sample at once, as the exporter draws them window by window:
    for tests that compare the warehouse with the generator's own truth."""
    plan = plan_dossiers(ctx, cat, agencies)
    return Dossiers.concat([draw_window(ctx, cat, plan, w)[0] for w in windows(ctx, plan)])
