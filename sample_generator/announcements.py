"""Decisions announcing procedures (quyết định công bố TTHC) and their publication on the
national portal, as the national procedure database (CSDLQG về TTHC) lists them per agency:
what the portal's publicity criteria count (issue 9).

A few announcements per agency and month, each for a procedure of the agency's level: most
decided at least 5 working days before the legal document they rest on takes effect, most made
public within 5 working days of the decision, most with all seven components published
(Decree 63/2010 art. 8.2). Returns the counts the portal scores per agency and month of the
decision, so that the portal's own export counts the same announcements.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from sample_generator.catalogue import LEVELS, Agencies, Catalogue, working_windows
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, HOUR

# the portal's rules (mirrored by the dbt seed service_index_rules)
LEAD_WORKING_DAYS = 5  # decision <= the legal basis's effective date - 5 working days
PUBLIC_WITHIN_WORKING_DAYS = 5  # made public <= the decision + 5 working days
COMPONENTS = 7
# (agency, month of the decision) -> (announced, on time, made public on time, complete)
AnnouncementCounts = dict[tuple[str, str], tuple[int, int, int, int]]


def _day_text(days: np.ndarray) -> list[str]:
    return [str(d) for d in days.astype("datetime64[D]")]


def _time_text(seconds: np.ndarray) -> list[str | None]:
    return [None if s < 0 else str(np.datetime64(int(s), "s")).replace("T", " ")
            for s in seconds]


def generate_announcements(ctx: SampleContext, cat: Catalogue, agencies: Agencies,
                           handling: np.ndarray) -> AnnouncementCounts:
    """`handling`: the codes of the agencies that handle dossiers (they announce procedures)."""
    rng = ctx.rng("announcements")
    cal = ctx.calendar
    last = (ctx.config.end - EPOCH).days
    opens, closes, alive = working_windows(ctx, agencies, handling)
    per_agency = np.where(alive, rng.poisson(0.5 * np.maximum(1, (closes - opens + 1) / 30)), 0)
    who = np.repeat(np.arange(len(agencies.code)), per_agency)
    n = len(who)
    # decisions are signed on working days
    day = rng.integers(np.repeat(opens, per_agency), np.repeat(closes, per_agency) + 1)
    decided = np.where(cal.is_working(day), day, cal.add_working_days(day, 1))
    keep = decided <= last
    who, decided = who[keep], decided[keep]
    n = len(who)
    # a procedure of the agency's own level
    level_bit = np.array([1 << LEVELS.index(str(level)) for level in agencies.level[who]])
    procedure = np.empty(n, dtype=np.int64)
    for bit in np.unique(level_bit):
        mine = level_bit == bit
        candidates = np.flatnonzero(cat.levels & bit)
        procedure[mine] = candidates[rng.integers(0, len(candidates), int(mine.sum()))]
    on_time = rng.random(n) < 0.8
    lead = np.where(on_time, rng.integers(LEAD_WORKING_DAYS, 40, n),
                    rng.integers(1, LEAD_WORKING_DAYS, n))
    effective = cal.add_working_days(decided, lead)
    public_on_time = rng.random(n) < 0.85
    after = np.where(public_on_time, rng.integers(1, PUBLIC_WITHIN_WORKING_DAYS + 1, n),
                     rng.integers(PUBLIC_WITHIN_WORKING_DAYS + 1, 16, n))
    public_day = cal.add_working_days(decided, after)
    public = public_day * DAY + rng.integers(8 * HOUR, 17 * HOUR, n)
    cutoff = (last + 1) * DAY
    public = np.where(public < cutoff, public, -1)  # not made public yet when exported
    complete = rng.random(n) < 0.9
    components = np.where(complete, COMPONENTS, rng.integers(3, COMPONENTS, n))
    table = pa.table({
        "MaDonVi": pa.array(agencies.code[who], pa.string()),
        "MaTTHC": pa.array(cat.code[procedure], pa.string()),
        "SoQuyetDinh": [f"{i}/QĐ-UBND" for i in range(1, n + 1)],
        "NgayQuyetDinh": _day_text(decided),
        "NgayHieuLucVanBan": _day_text(effective),
        "NgayCongKhai": _time_text(public),
        "SoBoPhanCongKhai": pa.array(components, pa.int64()),
    })
    ctx.write(table, "catalogue/cong_bo_tthc.csv", "procedure_announcements", bom=True,
              note="Quyết định công bố TTHC và công khai trên Cổng DVCQG (CSDLQG về TTHC)")
    counts: AnnouncementCounts = {}
    month = decided.astype("datetime64[D]").astype("datetime64[M]").astype(str)
    public_in_time = (public >= 0) & public_on_time
    for a, m, ok, shown, full in zip(agencies.code[who], month, on_time, public_in_time,
                                     complete, strict=True):
        before = counts.get((str(a), str(m)), (0, 0, 0, 0))
        counts[(str(a), str(m))] = (before[0] + 1, before[1] + int(ok), before[2] + int(shown),
                                    before[3] + int(full))
    return counts
