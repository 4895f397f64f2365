"""Dossiers of the one-stop shops: their life, as the national portal's sync format shows it.

Everything is computed on whole arrays; one pass per dossier attribute, never per dossier.
Times are int64 seconds of Asia/Ho_Chi_Minh wall-clock time; NAT marks "not (yet) happened".

Due-date convention (shared with the warehouse): the due date is the N-th working day after
the day of receipt at the same clock time for procedures timed in working days; receipt
plus N calendar days, N hours or N calendar months for the other units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from foundation.calendar import EPOCH
from foundation.reference import GSO34, GSO63, MERGER_DATE, provinces_gso34, provinces_gso63
from sample_generator import people
from sample_generator.catalogue import LEVELS, Agencies, Catalogue
from sample_generator.context import SampleContext

NAT = np.iinfo(np.int64).min
DAY = 86_400
HOUR = 3_600
MERGER_DAY = (MERGER_DATE - EPOCH).days

OUTCOMES = ("processed", "refused", "withdrawn", "stopped")
END_STATUS = np.array([9, 3, 7, 8])  # TrangThaiHoSo after each outcome
END_EVENT = np.array(["DA_XU_LY", "TU_CHOI", "RUT_HO_SO", "DUNG_XU_LY"])

# A vendor system per province, each with its own export dialect (see `exports.py`).
VENDORS = ("vnpt_igate", "dvcqg_sync", "viettel_motcua")
VENDOR_P = (0.45, 0.35, 0.20)


def day_of(seconds: np.ndarray) -> np.ndarray:
    return np.floor_divide(seconds, DAY)


@dataclass
class Dossiers:
    """One entry per dossier; column arrays of equal length, ordered by submission time."""

    id: np.ndarray
    province_code: np.ndarray
    code_system: np.ndarray
    vendor: np.ndarray
    agency: np.ndarray
    level: np.ndarray
    procedure: np.ndarray  # index into the catalogue
    channel: np.ndarray  # 1 in person, 2 online, 3 postal
    submitted: np.ndarray
    received: np.ndarray
    due: np.ndarray
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
    rating: np.ndarray  # "" when not rated
    complaint: np.ndarray
    applicant_name: np.ndarray
    applicant_cccd: np.ndarray
    applicant_phone: np.ndarray
    handler: np.ndarray
    certified_copy: np.ndarray  # an electronic certified copy was issued
    population_data: np.ndarray  # used data of the national population database
    personal_store: np.ndarray  # digitised data shared to the applicant's store on the portal
    sync_delay: np.ndarray  # seconds between a version and its arrival at the national portal

    def __len__(self) -> int:
        return len(self.id)

    def take(self, index: np.ndarray) -> Dossiers:
        return Dossiers(**{name: value[index] for name, value in vars(self).items()})


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


def generate_dossiers(
    ctx: SampleContext, cat: Catalogue, agencies: Agencies
) -> tuple[Dossiers, dict[str, object]]:
    """All dossiers of the sample, and the anomalies planted in them (for the manifest)."""
    cfg, cal = ctx.config, ctx.calendar
    rng = ctx.rng("dossiers")
    n = cfg.dossiers
    first_day, last_day = (cfg.start - EPOCH).days, (cfg.end - EPOCH).days
    days = np.arange(first_day, last_day + 1)
    day_w = _day_weights(ctx, days)
    sub_day = days[rng.choice(len(days), n, p=day_w / day_w.sum())]

    # province: among the 63 before the merger, the 34 after, volumes carried forward
    weights63 = _province_weights(ctx.rng("province-weights"))
    codes63 = np.array(list(weights63))
    w63 = np.array(list(weights63.values()))
    codes34 = np.array([p.code for p in provinces_gso34()])
    successor = {p.code: p.successor_code for p in provinces_gso63()}
    w34 = np.array([sum(w for c, w in weights63.items() if successor[c] == new) for new in codes34])
    before = sub_day < MERGER_DAY
    province = np.where(
        before,
        codes63[rng.choice(len(codes63), n, p=w63 / w63.sum())],
        codes34[rng.choice(len(codes34), n, p=w34 / w34.sum())],
    )
    code_system = np.where(before, GSO63, GSO34)

    # level and agency; no district level after the merger
    level = np.where(
        before,
        np.array(LEVELS)[rng.choice(3, n, p=[0.3, 0.35, 0.35])],
        np.array(LEVELS)[rng.choice(3, n, p=[0.38, 0.0, 0.62])],
    )
    agency_group = np.char.add(np.char.add(agencies.code_system.astype(str), "|"),
                               np.char.add(np.char.add(agencies.province_code.astype(str), "|"),
                                           agencies.level.astype(str)))
    wanted = np.char.add(np.char.add(code_system, "|"),
                         np.char.add(np.char.add(province, "|"), level))
    agency_idx = _choose_within_groups(rng, agency_group, wanted)
    agency = agencies.code[agency_idx].astype(str)

    # procedure handled at that level, by popularity
    level_bit = np.array([1 << LEVELS.index(x) for x in LEVELS])
    proc = np.empty(n, dtype=np.int64)
    for i, lv in enumerate(LEVELS):
        mask = level == lv
        candidates = np.flatnonzero(cat.levels & level_bit[i])
        p = cat.popularity[candidates] / cat.popularity[candidates].sum()
        proc[mask] = candidates[rng.choice(len(candidates), int(mask.sum()), p=p)]
    online_level = cat.online_level[proc]
    year = (sub_day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)

    # channel: online grows year on year and where the service is fully online
    p_online = np.where(year >= 2025, 0.58, 0.44) + np.where(online_level == "toan_trinh", 0.2, 0)
    u = rng.random(n)
    channel = np.where(online_level == "khong", np.where(u < 0.95, 1, 3),
                       np.where(u < p_online, 2, np.where(u < p_online + 0.04, 3, 1)))

    # submission time: desks open on working days only; online any hour
    working = cal.is_working(sub_day)
    next_work = cal.add_working_days(sub_day, 1)
    prev_work = cal.working_day_numbers[
        np.searchsorted(cal.working_day_numbers, sub_day, side="right") - 1]
    desk = channel != 2
    # the desk is closed: the visit happens on the next working day within the sample
    sub_day = np.where(desk & ~working,
                       np.where(next_work <= last_day, next_work, prev_work), sub_day)
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
    late_by_agency = rng.beta(1.2, 25, len(agencies.code))
    defects = cfg.defects
    provinces34 = codes34.copy()
    rng_anom = ctx.rng("dossier-anomalies")
    mismatch_codes = rng_anom.choice(
        provinces34[~np.isin(provinces34, ["01", "79"])],
        defects.self_report_mismatch_provinces, replace=False)
    late_p = late_by_agency[agency_idx]
    late_p = np.where(np.isin(province, mismatch_codes) & (code_system == GSO34), 0.16, late_p)

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
    gaming: dict[str, object] = {"mismatch_provinces": [str(c) for c in mismatch_codes]}
    busy = np.bincount(agency_idx, minlength=len(agencies.code))
    eligible = np.flatnonzero(busy >= np.quantile(busy[busy > 0], 0.9))
    chosen = rng_anom.choice(eligible, 2 * defects.gaming_agencies, replace=False)
    close_at_due = chosen[: defects.gaming_agencies]
    pause_late = chosen[defects.gaming_agencies:]
    gamed = rng_anom.random(n) < 0.45
    in_close = np.isin(agency_idx, close_at_due) & (outcome == 0) & (n_supp == 0) & gamed
    ended = np.where(in_close, due, ended)
    in_pause = np.isin(agency_idx, pause_late) & (outcome == 0) & (n_supp == 0) & gamed
    last_day_req = (day_of(due) * DAY + rng.integers(8 * HOUR, 16 * HOUR, n))
    last_day_req = np.minimum(last_day_req, due - 600)
    pause_wait = (rng.uniform(1.0, 6.0, n) * DAY).astype(np.int64)
    n_supp = np.where(in_pause, 1, n_supp)
    req1 = np.where(in_pause, last_day_req, req1)
    done1 = np.where(in_pause, last_day_req + pause_wait, done1)
    ended = np.where(in_pause, done1 + (rng.uniform(0.1, 0.5, n) * DAY).astype(np.int64), ended)
    gaming["close_at_due"] = [str(a) for a in agencies.code[close_at_due]]
    gaming["supplement_on_last_day"] = [str(a) for a in agencies.code[pause_late]]

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
    rating = np.where(rated, np.array(["rat_hai_long", "hai_long", "khong_hai_long"])[
        rng.choice(3, n, p=[0.55, 0.4, 0.05])], "")
    complaint = (outcome == 0) & (rng.random(n) < np.where(late, 0.08, 0.01))

    # applicants (personal data) and handlers (staff codes, not personal data)
    name_rng = ctx.rng("applicants")
    names, female = people.full_names(name_rng, n)
    birth = codes63[name_rng.choice(len(codes63), n, p=w63 / w63.sum())]
    birth = np.where(name_rng.random(n) < 0.8, np.where(before, province, birth), birth)
    cccd = people.citizen_ids(name_rng, birth, female)
    phone = people.phone_numbers(name_rng, n)
    handler = np.char.add("CB", np.char.zfill(rng.integers(1, 5000, n).astype(str), 4))

    certified_copy, population_data, personal_store, sync_delay = _digital_services(
        ctx, cat, proc, channel, vneid, digitised)

    vendor_of = _vendors(ctx)
    vendor = np.array([vendor_of[(s, p)] for s, p in zip(code_system, province, strict=True)])

    order = np.lexsort((submitted, province))
    order = order[np.argsort(submitted[order], kind="stable")]
    ids = _dossier_ids(province[order], code_system[order], sub_day[order])
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    dossiers = Dossiers(
        id=ids[inverse], province_code=province, code_system=code_system, vendor=vendor,
        agency=agency, level=level, procedure=proc, channel=channel, submitted=submitted,
        received=received, due=due, outcome=outcome, ended=ended, returned=returned,
        supplement_requested=np.stack([np.where(n_supp >= 1, req1, NAT),
                                       np.where(n_supp >= 2, req2, NAT)], axis=1),
        supplement_completed=np.stack([np.where(n_supp >= 1, done1, NAT),
                                       np.where(n_supp >= 2, done2, NAT)], axis=1),
        apology=np.where(apologise, apology, NAT),
        apology_new_due=np.where(apologise, new_due, NAT),
        transferred=transferred, paid_online=paid_online, has_digitised_part=has_digitised,
        digitised=digitised, reused=reused, electronic_result=e_result, vneid=vneid,
        rating=rating, complaint=complaint, applicant_name=names, applicant_cccd=cccd,
        applicant_phone=phone, handler=handler, certified_copy=certified_copy,
        population_data=population_data, personal_store=personal_store, sync_delay=sync_delay,
    ).take(order)

    # a sync gap: one province's system sent nothing for several days
    gap_days = defects.sync_gap_days
    gap_province = str(rng_anom.choice(provinces34[~np.isin(provinces34, mismatch_codes)]))
    gap_start = int(rng_anom.integers(max(MERGER_DAY, first_day) + 30,
                                      max(MERGER_DAY, first_day) + 120))
    sub_days = day_of(dossiers.submitted)
    in_gap = ((dossiers.province_code == gap_province) & (dossiers.code_system == GSO34)
              & (sub_days >= gap_start) & (sub_days < gap_start + gap_days))
    gaming["sync_gap"] = {"province_code": gap_province, "code_system": GSO34,
                          "from": str(EPOCH + dt.timedelta(gap_start)),
                          "to": str(EPOCH + dt.timedelta(gap_start + gap_days - 1)),
                          "dossiers_missing": int(in_gap.sum())}
    if gap_days > 0:
        dossiers = dossiers.take(np.flatnonzero(~in_gap))
    return dossiers, gaming


def _digital_services(ctx: SampleContext, cat: Catalogue, proc: np.ndarray, channel: np.ndarray,
                      vneid: np.ndarray, digitised: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the portal's digitisation and publicity criteria count (issue 9), from a stream of
    their own so that every other attribute stays what it was: certified copies, use of the
    population database (only procedures connected to it), data shared to the applicant's
    store, and how long each version took to reach the portal (most within minutes, a few
    after a day or more)."""
    rng = ctx.rng("dossier-digital")
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


def _vendors(ctx: SampleContext) -> dict[tuple[str, str], str]:
    rng = ctx.rng("vendors")
    out = {}
    for p in provinces_gso63():
        out[(GSO63, p.code)] = str(VENDORS[rng.choice(len(VENDORS), p=VENDOR_P)])
    for p in provinces_gso34():
        # the new province keeps the system of the old province that hosts its seat
        out[(GSO34, p.code)] = out[(GSO63, p.code)]
    return out


def _dossier_ids(province: np.ndarray, code_system: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Ids like H01-240105-00012: province, day and the running number that day (input is
    in submission order)."""
    key = np.char.add(np.char.add(code_system, province), day.astype(str))
    order = np.lexsort((np.arange(len(key)), key))
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    seq = np.empty(len(key), dtype=np.int64)
    seq[order] = np.arange(len(key)) - group_start + 1
    yymmdd = np.datetime_as_string(day.astype("datetime64[D]"), unit="D")
    yymmdd = np.char.replace(np.char.replace(yymmdd, "-", ""), "20", "", count=1)
    system = np.where(code_system == GSO63, "H", "M")
    return np.char.add(np.char.add(np.char.add(system, province), "-"),
                       np.char.add(np.char.add(yymmdd, "-"), np.char.zfill(seq.astype(str), 5)))
