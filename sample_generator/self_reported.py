"""Monthly on-time rates as provinces publish them: a little rosier than their logs, and
in one province far rosier ("99.99% on time")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, NAT, PROVINCE_CODES, Dossiers, province_index


def on_time(d: Dossiers) -> np.ndarray:
    """The generator's own truth: end minus supplement waits by the due date, at most one
    supplement request."""
    waits = np.where(d.supplement_requested != NAT,
                     d.supplement_completed - d.supplement_requested, 0).sum(axis=1)
    second = d.supplement_requested[:, 1] != NAT
    return (d.ended - waits <= d.due) & ~second


class SelfReportedTally:
    """Processed dossiers and those on time, per month of their end and reporting province,
    added up window by window."""

    def __init__(self, ctx: SampleContext) -> None:
        self.cutoff = ((ctx.config.end - EPOCH).days + 1) * DAY
        self.counts: dict[tuple[str, str], list[int]] = {}
        successor = {p.code: p.successor_code for p in provinces_gso63()}
        # after the merger the new province reports for every dossier in its territory
        self.successor = province_index([successor[c] for c in PROVINCE_CODES])

    def add(self, d: Dossiers) -> None:
        done = (d.outcome == 0) & (d.ended < self.cutoff)
        month = (d.ended[done] // DAY).astype("datetime64[D]").astype("datetime64[M]")
        province = d.province[done]
        old = (month >= np.datetime64("2025-07")) & ~d.gso34[done]
        province = np.where(old, self.successor[province], province)
        ok = on_time(d)[done]
        key = month.astype(np.int64) * 1000 + province
        keys, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, minlength=len(keys))
        on = np.bincount(inverse, weights=ok, minlength=len(keys)).astype(np.int64)
        for k, t, o in zip(keys, total, on, strict=True):
            label = (str(np.datetime64(int(k) // 1000, "M")), str(PROVINCE_CODES[int(k) % 1000]))
            counts = self.counts.setdefault(label, [0, 0])
            counts[0] += int(t)
            counts[1] += int(o)


def write_self_reported(ctx: SampleContext, tally: SelfReportedTally, mismatch: list[str]
                        ) -> None:
    names = {p.code: p.name for p in provinces_gso63()}
    names34 = {p.code: p.name for p in provinces_gso34()}
    rng = ctx.rng("self-reported")
    for year in sorted({int(month[:4]) for month, _ in tally.counts}):
        labels = sorted(k for k in tally.counts if int(k[0][:4]) == year)
        total = np.array([tally.counts[k][0] for k in labels])
        on = np.array([tally.counts[k][1] for k in labels])
        computed = 100.0 * on / total
        inflation = rng.uniform(0.0, 2.5, len(labels))
        reported = np.minimum(np.round(computed + inflation, 2), 100.0)
        months = np.array([m for m, _ in labels])
        codes = np.array([c for _, c in labels])
        is_new = months >= "2025-07"
        liar = is_new & np.isin(codes, mismatch)
        reported = np.where(liar, 99.99, reported)
        table = pa.table({
            "Nam": pa.array([int(m[:4]) for m in months]),
            "Thang": pa.array([int(m[5:7]) for m in months]),
            "MaTinh": pa.array(codes, pa.string()),
            "TenTinh": [(names34 if new else names)[c] for c, new in zip(codes, is_new,
                                                                          strict=True)],
            "TongSoHoSoDaGiaiQuyet": pa.array(total),
            "SoHoSoDungHan": pa.array(np.round(total * reported / 100.0).astype(np.int64)),
            "TyLeDungHan": pa.array(reported),
        })
        relative = f"self_reported/ty_le_dung_han_{year}.xlsx"
        ctx.write(table, relative, "self_reported_rates",
                  note="Báo cáo tỷ lệ giải quyết hồ sơ đúng hạn do tỉnh tự công bố")
        for code in mismatch:
            rows = np.flatnonzero(liar & (codes == code))
            if len(rows):
                ctx.truth.add_defect(
                    "self_report_mismatch", "anomaly", relative, (rows + 1).tolist(),
                    province_code=code, code_system="gso34", reported=99.99,
                    computed=round(float(100.0 * on[rows].sum() / total[rows].sum()), 2))
