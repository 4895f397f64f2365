"""Citizen petitions (phản ánh, kiến nghị, SPEC 2.4b) to the sample's agencies: a few per agency
and month, most handled within the portal's 15 working days, some refused (within 2 working
days, or late), some still open, some rated by the citizen.

Returns, per agency and month a petition was handled in, the counts the portal scores
(handled on time, handled, satisfied, rated), so that the portal's own export counts the same
petitions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from sample_generator.catalogue import Agencies, working_windows
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY

# the portal's deadlines in working days (mirrored by the dbt seed petition_deadlines)
HANDLING_DAYS = 15
REFUSAL_DAYS = 2
CLASSIFICATIONS = ("quy_dinh_hanh_chinh", "hanh_vi_can_bo", "khac")
RATINGS = ("rat_hai_long", "hai_long", "khong_hai_long")
PetitionCounts = dict[tuple[str, str], tuple[int, int, int, int]]


def _stamp(seconds: np.ndarray) -> list[str | None]:
    return [None if s < 0 else str(np.datetime64(int(s), "s")).replace("T", " ")
            for s in seconds]


def generate_petitions(ctx: SampleContext, agencies: Agencies, handling: np.ndarray
                       ) -> PetitionCounts:
    """`handling`: the codes of agencies that handle dossiers (petitions go to them)."""
    rng = ctx.rng("petitions")
    last = (ctx.config.end - EPOCH).days
    # each agency receives petitions while it exists (gso63 agencies until the merger)
    opens, closes, alive = working_windows(ctx, agencies, handling)
    per_agency = np.where(alive, rng.poisson(0.6 * np.maximum(1, (closes - opens + 1) / 30)), 0)
    agency = np.repeat(agencies.code, per_agency)
    n = len(agency)
    received_day = rng.integers(np.repeat(opens, per_agency), np.repeat(closes, per_agency) + 1)
    received = received_day * DAY + rng.integers(8 * 3600, 17 * 3600, n)
    clock = received - received_day * DAY
    due = ctx.calendar.add_working_days(received_day, HANDLING_DAYS) * DAY + clock
    kind = rng.choice(3, n, p=[0.8, 0.1, 0.1])  # handled, refused, open
    handled_after = np.where(kind == 1, rng.integers(1, 5, n), rng.integers(1, 21, n))
    handled_day = ctx.calendar.add_working_days(received_day, handled_after)
    handled = np.where(kind == 2, -1, handled_day * DAY + rng.integers(8 * 3600, 17 * 3600, n))
    cutoff = (last + 1) * DAY
    handled = np.where(handled >= cutoff, -1, handled)
    refusal_due = ctx.calendar.add_working_days(received_day, REFUSAL_DAYS) * DAY + clock
    outcome = np.where(handled < 0, "dang_xu_ly", np.where(kind == 1, "tu_choi", "da_xu_ly"))
    on_time = (handled >= 0) & (handled <= np.where(kind == 1, refusal_due, due))
    rated = (handled >= 0) & (kind == 0) & (rng.random(n) < 0.7)
    rating = np.where(rated, rng.choice(RATINGS, n, p=[0.35, 0.5, 0.15]), None)
    published = np.where(handled >= 0, handled + rng.integers(1, 3, n) * DAY, -1)
    table = pa.table({
        "MaPAKN": [f"PA-{i:06d}" for i in range(1, n + 1)],
        "MaDonVi": pa.array(agency, pa.string()),
        "NgayTiepNhan": _stamp(received),
        "PhanLoai": pa.array(rng.choice(CLASSIFICATIONS, n, p=[0.6, 0.25, 0.15]), pa.string()),
        "HanXuLy": _stamp(due),
        "NgayXuLy": _stamp(handled),
        "KetQua": pa.array(outcome, pa.string()),
        "NgayCongKhai": _stamp(np.where(published >= cutoff, -1, published)),
        "DanhGia": pa.array(rating.tolist(), pa.string()),
    })
    ctx.write(table, "petitions/phan_anh_kien_nghi.csv", "petitions",
              note="Phản ánh, kiến nghị của người dân, doanh nghiệp")
    counts: PetitionCounts = {}
    done = handled >= 0
    month = (handled[done] // DAY).astype("datetime64[D]").astype("datetime64[M]").astype(str)
    satisfied = rated & np.isin(rating, ("rat_hai_long", "hai_long"))
    for a, m, ok, r, s in zip(agency[done], month, on_time[done], rated[done], satisfied[done],
                              strict=True):
        before = counts.get((str(a), str(m)), (0, 0, 0, 0))
        counts[(str(a), str(m))] = (before[0] + int(ok), before[1] + 1, before[2] + int(s),
                                    before[3] + int(r))
    return counts
