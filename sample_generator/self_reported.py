"""Monthly on-time rates as provinces publish them: a little rosier than their logs, and
in one province far rosier ("99.99% on time")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from foundation.calendar import EPOCH
from foundation.reference import GSO63, provinces_gso34, provinces_gso63
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, NAT, Dossiers


def on_time(d: Dossiers) -> np.ndarray:
    """The generator's own truth: end minus supplement waits by the due date, at most one
    supplement request."""
    waits = np.where(d.supplement_requested != NAT,
                     d.supplement_completed - d.supplement_requested, 0).sum(axis=1)
    second = d.supplement_requested[:, 1] != NAT
    return (d.ended - waits <= d.due) & ~second


def write_self_reported(ctx: SampleContext, d: Dossiers, mismatch: list[str]) -> None:
    cutoff = ((ctx.config.end - EPOCH).days + 1) * DAY
    done = (d.outcome == 0) & (d.ended < cutoff)
    month = (d.ended[done] // DAY).astype("datetime64[D]").astype("datetime64[M]")
    successor = {p.code: p.successor_code for p in provinces_gso63()}
    names = {p.code: p.name for p in provinces_gso63()}
    names34 = {p.code: p.name for p in provinces_gso34()}
    after = month >= np.datetime64("2025-07")
    # after the merger the new province reports for every dossier in its territory
    province = d.province_code[done].copy()
    old = after & (d.code_system[done] == GSO63)
    province[old] = np.array([successor[c] for c in province[old]])
    ok = on_time(d)[done]
    rng = ctx.rng("self-reported")
    for year in sorted({int(str(m)[:4]) for m in np.unique(month)}):
        in_year = month.astype("datetime64[Y]") == np.datetime64(str(year), "Y")
        key = np.char.add(np.char.add(np.datetime_as_string(month[in_year]), "|"),
                          province[in_year])
        keys, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse)
        on = np.bincount(inverse, weights=ok[in_year]).astype(np.int64)
        computed = 100.0 * on / total
        inflation = rng.uniform(0.0, 2.5, len(keys))
        reported = np.minimum(np.round(computed + inflation, 2), 100.0)
        months = np.array([k.split("|")[0] for k in keys])
        codes = np.array([k.split("|")[1] for k in keys])
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
