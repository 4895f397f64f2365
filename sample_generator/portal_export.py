"""The national portal's own evaluation of the sample's units (dichvucong.gov.vn "đánh giá chất
lượng phục vụ", SPEC 2.4b): one JSON file per group and month from 2025-07, for every gso34
agency and province, with the counts the portal saw and the score it gave.

The counts are the sample's own (what the portal would count from the same synchronised data):
dossiers, petitions, the announcements of procedures, the catalogue's procedures. The scores
are computed here by the portal's rules as issue 9 quotes them, written out independently of
chiso's configuration so that scoring the exported counts with that configuration is a real
check, and rounded to 2 decimals as the portal publishes them. A few agencies (and so their
provinces) get progress counts that differ from their log: the portal counted dossiers their
export lacks, more of them late (ground truth `portal_count_mismatch`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from foundation.calendar import EPOCH
from foundation.reference import GSO34, MERGER_DATE, provinces_gso34, provinces_gso63
from sample_generator.announcements import AnnouncementCounts
from sample_generator.catalogue import LEVELS, Agencies, Catalogue
from sample_generator.context import SampleContext
from sample_generator.dossiers import (
    DAY,
    HOUR,
    NAT,
    PROVINCE_CODES,
    RATINGS,
    Dossiers,
    province_index,
)
from sample_generator.exports import version_span
from sample_generator.petitions import PetitionCounts
from sample_generator.self_reported import on_time
from sample_generator.truth import WrittenFile

MISMATCH_AGENCIES = 3
COUNT_NAMES = ("received", "onTime", "new", "electronic", "digitised", "reused", "processed",
               "satisfied", "feeDossiers", "paidOnlineDossiers", "onlineProcedureDossiers",
               "onlineDossiers", "syncKnown", "syncedInTime", "certifiedCopy", "personalStore",
               "populationData")
# a version reaches the portal "in real time" within this delay (mirrored by the dbt seed
# service_index_rules; chiso's reading, unconfirmed)
SYNC_WITHIN = 24 * HOUR
# (code, name, points, numerator count, denominator count)
PUBLICITY = (("PUBLISH_ON_TIME", "Công bố TTHC đúng hạn", 6.0, "announcedOnTime", "announced"),
             ("PUBLIC_UPDATE_ON_TIME", "Cập nhật, công khai TTHC đúng hạn", 4.0,
              "publicOnTime", "announced"),
             ("PUBLIC_CONTENT_FULL", "Công khai đầy đủ nội dung TTHC", 2.0, "publicComplete",
              "announced"),
             ("DOSSIER_SYNC", "Đồng bộ hồ sơ thời gian thực", 6.0, "syncedInTime", "syncKnown"))
DIGITISATION_LINEAR = (
    ("ELECTRONIC_CERTIFIED_COPY", "Cấp bản sao điện tử", 2.0, "certifiedCopy", "new"),
    ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "Chia sẻ kho dữ liệu", 4.0, "personalStore", "new"),
    ("CITIZEN_DATA_CONNECTED_DOSSIER", "Hồ sơ dùng dữ liệu dân cư", 2.0, "populationData", "new"),
    ("CITIZEN_DATA_CONNECTED_FORMALITY", "Thủ tục kết nối CSDL dân cư", 2.0,
     "connectedProcedures", "procedures"))


# --- the portal's rules (issue 9), one function each ----------------------------------------

def linear(points: float, numerator: float, denominator: float, *, scale: float = 1.0,
           empty: float = 0.0) -> float:
    """min(points, points × rate ÷ scale); `empty` when there is nothing to count."""
    if denominator <= 0:
        return empty
    return min(points, points * (numerator / denominator) / scale)


def payment(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """6A + min(2, 2.5B) + 2.5C, at most 10."""
    def rate(pair: tuple[float, float]) -> float:
        return pair[0] / pair[1] if pair[1] > 0 else 0.0
    return min(10.0, 6 * rate(a) + min(2.0, 2.5 * rate(b)) + 2.5 * rate(c))


def online_services(provision: tuple[float, float], submission: tuple[float, float]) -> float:
    """chiso's assumption (no published rule): 6 at 80% of dossiers on online procedures, 6 at
    50% submitted online, linear below; a criterion with nothing to count leaves its points to
    the other."""
    parts = [(6.0, 0.8, provision), (6.0, 0.5, submission)]
    scored = [(p, t, n, d) for p, t, (n, d) in parts if d > 0]
    if not scored:
        return 0.0
    points = sum(p for p, *_ in scored)
    return sum(linear(p, n, d, scale=t) for p, t, n, d in scored) * 12.0 / points


# --- counts from the dossiers ------------------------------------------------------------------

def _month_bounds(ctx: SampleContext) -> list[tuple[np.datetime64, int, int]]:
    months = np.arange(np.datetime64(MERGER_DATE, "M"),
                       np.datetime64(ctx.config.end, "M") + 1)
    out = []
    for month in months:
        start = (month.astype("datetime64[D]") - np.datetime64(EPOCH)).astype(int) * DAY
        end = ((month + 1).astype("datetime64[D]") - np.datetime64(EPOCH)).astype(int) * DAY
        if month >= np.datetime64(ctx.config.start, "M"):
            out.append((month, int(start), int(end)))
    return out


def _waits_until(d: Dossiers, moment: int) -> tuple[np.ndarray, np.ndarray]:
    """Supplement time with the applicant up to `moment`, and requests made by then."""
    requested = d.supplement_requested
    made = (requested != NAT) & (requested < moment)
    resumed = np.where(d.supplement_completed != NAT, d.supplement_completed, moment)
    waits = np.where(made, np.minimum(resumed, moment) - requested, 0).sum(axis=1)
    return waits, made.sum(axis=1)


def _counts(d: Dossiers, fee_bearing: np.ndarray, online_procedure: np.ndarray, start: int,
            end: int, cutoff: int, span: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Per dossier, 0/1 for every count the portal takes in the month [start, end); `cutoff`
    ends what the synchronised data knows (a result returned later is not known yet). `span`:
    each dossier's first and last version, for the real-time sync (a dossier counts once one
    of its versions reached the portal, and is in real time when every version did within the
    delay)."""
    received = d.received != NAT
    closed = np.where(d.ended != NAT, np.maximum(d.ended, d.received), NAT)
    is_open_at_start = (closed == NAT) | (closed >= start)
    new = received & (d.received >= start) & (d.received < end)
    carried = received & (d.received < start) & is_open_at_start
    ended = (new | carried) & (closed != NAT) & (closed < end)
    open_end = (new | carried) & ~ended
    waits, requests = _waits_until(d, end)
    within_due = open_end & (requests < 2) & (end <= d.due + waits)
    processed = ended & (d.outcome == 0)
    late = processed & ~on_time(d)
    result_known = (d.returned != NAT) & (d.returned <= cutoff)
    # a rating or a complaint reaches the portal with the returned result
    disliked = ((d.rating_index == RATINGS.index("khong_hai_long"))
                | d.complaint.astype(bool)) & result_known
    unhappy = processed & (late | disliked)
    fee = fee_bearing[d.procedure]
    online = online_procedure[d.procedure]
    first, last = span
    sync_known = new & (first != NAT) & (first + d.sync_delay <= cutoff)
    synced_in_time = sync_known & (last + d.sync_delay <= cutoff) & (d.sync_delay <= SYNC_WITHIN)
    return {
        "syncKnown": sync_known, "syncedInTime": synced_in_time,
        "certifiedCopy": new & d.certified_copy, "personalStore": new & d.personal_store,
        "populationData": new & d.population_data,
        "received": new | carried, "onTime": (ended & on_time(d)) | within_due,
        "new": new, "electronic": processed & d.electronic_result.astype(bool) & result_known,
        "digitised": new & d.digitised.astype(bool), "reused": new & d.reused.astype(bool),
        "processed": processed, "satisfied": processed & ~unhappy,
        "feeDossiers": new & fee, "paidOnlineDossiers": new & fee & (d.paid_online > 0),
        "onlineProcedureDossiers": new & online, "onlineDossiers": new & (d.channel == 2),
    }


class PortalTally:
    """The portal's counts per month, territory (the gso34 province a dossier's unit maps to)
    and agency, added up window by window; and per month the (unit, procedure) pairs of the
    new dossiers (and of those paid online), for the counts of distinct procedures."""

    def __init__(self, ctx: SampleContext, cat: Catalogue, agencies: Agencies) -> None:
        self.months = _month_bounds(ctx)
        self.cutoff = ((ctx.config.end - EPOCH).days + 1) * DAY - 1  # as the dossier exports
        self.fee_bearing = cat.fee_bearing.astype(bool)
        self.online_procedure = np.isin(cat.online_level.astype(str), ("toan_trinh", "mot_phan"))
        self.population_connected = cat.population_connected.astype(bool)
        self.levels = cat.levels
        self.n_procedures = len(cat.code)
        successor = {p.code: p.successor_code for p in provinces_gso63()}
        self.successor = province_index([successor[c] for c in PROVINCE_CODES])
        self.n_agencies = len(agencies.code)
        self.by_territory: dict[str, dict[str, np.ndarray]] = {}
        self.by_agency: dict[str, dict[str, np.ndarray]] = {}
        # month -> "territory"/"agency" -> "new"/"paid" -> sorted unit * n_procedures + procedure
        self.pairs: dict[str, dict[str, dict[str, np.ndarray]]] = {}

    def add(self, d: Dossiers) -> None:
        if not self.months:
            return
        first, last = self.months[0][1], self.months[-1][2]
        closed = np.where(d.ended != NAT, np.maximum(d.ended, d.received), NAT)
        counted = (d.received != NAT) & (d.received < last) & ((closed == NAT) | (closed >= first))
        if not counted.any():
            return
        d = d.take(np.flatnonzero(counted))
        span = version_span(d, self.cutoff)
        # a dossier counts in its agency and in its territory's new province
        territory = np.where(d.gso34, d.province, self.successor[d.province])
        for month, start, end in self.months:
            counts = _counts(d, self.fee_bearing, self.online_procedure, start, end, self.cutoff,
                             span)
            label = str(month)
            for name, values in counts.items():
                weights = values.astype(np.int64)
                by_t = self.by_territory.setdefault(label, {}).setdefault(
                    name, np.zeros(len(PROVINCE_CODES), np.int64))
                by_t += np.bincount(territory, weights=weights,
                                    minlength=len(PROVINCE_CODES)).astype(np.int64)
                by_a = self.by_agency.setdefault(label, {}).setdefault(
                    name, np.zeros(self.n_agencies, np.int64))
                by_a += np.bincount(d.agency_index, weights=weights,
                                    minlength=self.n_agencies).astype(np.int64)
            new = counts["new"]
            paid = new & (d.paid_online > 0)
            month_pairs = self.pairs.setdefault(label, {})
            for level, unit in (("territory", territory), ("agency", d.agency_index)):
                held = month_pairs.setdefault(level, {})
                for name, chosen in (("new", new), ("paid", paid)):
                    keys = unit[chosen].astype(np.int64) * self.n_procedures \
                        + d.procedure[chosen]
                    held[name] = np.union1d(held.get(name, np.empty(0, np.int64)), keys)

    def procedure_counts(self, month: str, level: str, unit: int, unit_bits: int
                         ) -> dict[str, int]:
        """The unit's procedures in the month: those its new dossiers were for (and how many
        of them are connected to the population database), and its fee-bearing procedures
        (those of its levels, `unit_bits`), with dossiers and with a dossier paid online."""
        held = self.pairs.get(month, {}).get(level, {})

        def of_unit(name: str) -> np.ndarray:
            keys = held.get(name, np.empty(0, np.int64))
            lo, hi = np.searchsorted(keys, [unit * self.n_procedures,
                                            (unit + 1) * self.n_procedures])
            return keys[lo:hi] - unit * self.n_procedures

        procedures, paid = of_unit("new"), of_unit("paid")
        # B and C count the unit's own fee-bearing procedures (those of its levels), so that
        # neither exceeds its denominator (a district procedure's dossier received after the
        # two-tier reform of 1 July 2025 is not one of a new province's procedures)
        fee = self.fee_bearing & ((self.levels & unit_bits) > 0)
        return {"procedures": len(procedures),
                "connectedProcedures": int(self.population_connected[procedures].sum()),
                "feeProcedures": int(fee.sum()),
                "feeProceduresWithDossiers": int(fee[procedures].sum()),
                "feeProceduresPaidOnline": int(fee[paid].sum())}


def _round(value: float) -> float:
    return round(value + 1e-12, 2)


class _Unit:
    """One unit's counts in one month: its dossiers', petitions', announcements' and
    procedures'."""

    def __init__(self, code: str, name: str, unit_type: str, counts: dict[str, int],
                 petitions: tuple[int, int, int, int]) -> None:
        self.code, self.name, self.unit_type, self.c = code, name, unit_type, counts
        # the petitions handled in the month: (on time, handled), (satisfied, rated)
        self.petitions = [(petitions[0], petitions[1]), (petitions[2], petitions[3])]


def _metric(code: str, name: str, points: float, numerator: int, denominator: int,
            score: float) -> dict[str, Any]:
    ratio = round(numerator / denominator, 4) if denominator else None
    return {"code": code, "name": name, "numerator": numerator, "denominator": denominator,
            "ratio": ratio, "score": _round(score), "maxScore": points}


def _metric_groups(unit: _Unit) -> dict[str, list[dict[str, Any]]]:
    c = unit.c
    publicity = [_metric(code, name, pts, c[n], c[d], linear(pts, c[n], c[d]))
                 for code, name, pts, n, d in PUBLICITY]
    digitisation = [
        _metric("ORIGINAL_RESULT_AVAILABLE", "Kết quả điện tử", 6, c["electronic"],
                c["processed"], linear(6, c["electronic"], c["processed"])),
        _metric("SO_HOA_GIAY_TO_GIAI_QUYET", "Số hóa hồ sơ, kết quả", 4, c["digitised"],
                c["new"], linear(4, c["digitised"], c["new"])),
        _metric("REUSED_DIGITIZED_DATA", "Tái sử dụng dữ liệu số hóa", 2, c["reused"], c["new"],
                linear(2, c["reused"], c["new"], scale=0.8)),
    ] + [_metric(code, name, pts, c[n], c[d], linear(pts, c[n], c[d]))
         for code, name, pts, n, d in DIGITISATION_LINEAR]
    (on_time_n, on_time_d), (liked_n, liked_d) = unit.petitions
    satisfaction = [
        _metric("PETITION_PROCESSING_ON_TIME", "PAKN xử lý đúng hạn", 6, on_time_n, on_time_d,
                linear(6, on_time_n, on_time_d, empty=6)),
        _metric("PETITION_HANDLING_SATISFACTION", "Hài lòng xử lý PAKN", 6, liked_n, liked_d,
                linear(6, liked_n, liked_d, empty=6)),
        _metric("DOSSIER_RECEIVING_SATISFACTION", "Hài lòng tiếp nhận, giải quyết hồ sơ", 6,
                c["satisfied"], c["processed"],
                linear(6, c["satisfied"], c["processed"], scale=0.9)),
    ]
    return {"PUBLICITY": publicity, "DIGITIZATION": digitisation, "SATISFACTION": satisfaction}


def _tree_node(group: str, unit: _Unit) -> dict[str, Any]:
    c = unit.c
    node: dict[str, Any] = {"unitCode": unit.code, "unitName": unit.name,
                            "unitType": unit.unit_type}
    if group == "PROGRESS":
        node |= {"received": c["received"], "onTime": c["onTime"],
                 "score": _round(linear(20, c["onTime"], c["received"])), "maxScore": 20}
    elif group == "ONLINE_SERVICE":
        node |= {"received": c["new"], "onlineProcedureDossiers": c["onlineProcedureDossiers"],
                 "onlineDossiers": c["onlineDossiers"], "maxScore": 12,
                 "score": _round(online_services((c["onlineProcedureDossiers"], c["new"]),
                                                 (c["onlineDossiers"], c["new"])))}
    else:
        integrated, fee_procedures = c["feeProceduresPaidOnline"], c["feeProcedures"]
        with_dossiers = c["feeProceduresWithDossiers"]
        node |= {"feeDossiers": c["feeDossiers"], "paidOnlineDossiers": c["paidOnlineDossiers"],
                 "feeProcedures": fee_procedures, "integratedFeeProcedures": integrated,
                 "feeProceduresWithDossiers": with_dossiers, "maxScore": 10,
                 "score": _round(payment((c["paidOnlineDossiers"], c["feeDossiers"]),
                                         (integrated, fee_procedures),
                                         (with_dossiers, fee_procedures)))}
    return node


def _write_json(ctx: SampleContext, relative: str, document: dict[str, Any], rows: int) -> None:
    path = ctx.inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    ctx.truth.add_file(WrittenFile(path=relative, family="portal_evaluation", format="json",
                                   rows=rows, note="Đánh giá chất lượng phục vụ (Cổng DVCQG)"))


def _by_province(agencies: Agencies, counts: dict[tuple[str, str], tuple[int, ...]],
                 month: str, successor: dict[str, str], width: int) -> dict[str, list[int]]:
    """Per-agency counts of a month summed into each agency's gso34 province (old provinces
    mapped forward)."""
    totals: dict[str, list[int]] = {}
    for i in range(len(agencies.code)):
        got = counts.get((str(agencies.code[i]), month), (0,) * width)
        code = str(agencies.province_code[i])
        code = code if agencies.code_system[i] == GSO34 else successor[code]
        total = totals.setdefault(code, [0] * width)
        totals[code] = [a + b for a, b in zip(total, got, strict=True)]
    return totals


ANNOUNCED = ("announced", "announcedOnTime", "publicOnTime", "publicComplete")


def write_portal_export(ctx: SampleContext, tally: PortalTally, agencies: Agencies,
                        petitions: PetitionCounts, announcements: AnnouncementCounts) -> None:
    rng = ctx.rng("portal-export")
    new_agencies = np.flatnonzero(agencies.code_system == GSO34)
    if not len(new_agencies) or not tally.months:
        return
    liars = set(rng.choice(agencies.code[new_agencies],
                           min(MISMATCH_AGENCIES, len(new_agencies)), replace=False).tolist())
    names34 = {p.code: p.name for p in provinces_gso34()}
    successor = {p.code: p.successor_code for p in provinces_gso63()}
    level_bit = {level: 1 << LEVELS.index(level) for level in LEVELS}
    # a province's procedures: those of the levels its (gso34) agencies work at
    province_bits: dict[str, int] = {}
    for i in new_agencies:
        code = str(agencies.province_code[i])
        province_bits[code] = province_bits.get(code, 0) | level_bit[str(agencies.level[i])]
    mismatched: dict[str, list[str]] = {}
    empty = {name: np.zeros(len(PROVINCE_CODES), np.int64) for name in COUNT_NAMES}
    empty_agencies = {name: np.zeros(len(agencies.code), np.int64) for name in COUNT_NAMES}
    for month, _, _ in tally.months:
        month_text = str(month)
        by_territory = tally.by_territory.get(month_text, empty)
        by_agency = tally.by_agency.get(month_text, empty_agencies)
        period = {"year": int(month_text[:4]), "month": int(month_text[5:7])}
        provinces: dict[str, tuple[_Unit, list[_Unit]]] = {}
        province_petitions = _by_province(agencies, petitions, month_text, successor, 4)
        province_announced = _by_province(agencies, announcements, month_text, successor, 4)
        for t in np.flatnonzero(by_territory["received"] > 0):
            code = str(PROVINCE_CODES[t])
            counts = {k: int(v[t]) for k, v in by_territory.items()}
            counts |= tally.procedure_counts(month_text, "territory", int(t),
                                             province_bits.get(code, 0))
            counts |= dict(zip(ANNOUNCED, province_announced.get(code, [0] * 4), strict=True))
            got = tuple(province_petitions.get(code, [0, 0, 0, 0]))
            provinces[code] = (_Unit(code, names34[code], "province", counts, got), [])
        for i in new_agencies:
            agency, province = str(agencies.code[i]), str(agencies.province_code[i])
            counts = {k: int(v[i]) for k, v in by_agency.items()}
            if province not in provinces or counts["received"] == 0:
                continue
            counts |= tally.procedure_counts(month_text, "agency", int(i),
                                             level_bit[str(agencies.level[i])])
            counts |= dict(zip(ANNOUNCED, announcements.get((agency, month_text), (0,) * 4),
                               strict=True))
            if agency in liars:
                # the portal counted a quarter more dossiers, and none of the extra on time
                extra = max(2, counts["received"] // 4)
                counts["received"] += extra
                counts["onTime"] = max(0, counts["onTime"] - extra // 2)
                province_counts = provinces[province][0].c
                province_counts["received"] += extra
                province_counts["onTime"] = max(0, province_counts["onTime"] - extra // 2)
                mismatched.setdefault(agency, []).append(month_text)
                mismatched.setdefault(province, []).append(month_text)
            unit = _Unit(agency, f"Đơn vị {agency}", "agency", counts,
                         petitions.get((agency, month_text), (0, 0, 0, 0)))
            provinces[province][1].append(unit)
        _write_month(ctx, month_text, period, provinces)
    for unit, months in sorted(mismatched.items()):
        ctx.truth.add_defect("portal_count_mismatch", "anomaly", None, [], unit_code=unit,
                             unit_type="agency" if unit in liars else "province",
                             metric_code="PROGRESS", months=sorted(set(months)))


def _write_month(ctx: SampleContext, month: str, period: dict[str, int],
                 provinces: dict[str, tuple[_Unit, list[_Unit]]]) -> None:
    folder = f"portal_evaluation/{month}"
    units = [u for parent, children in provinces.values() for u in (parent, *children)]
    metric_groups = {u.code: _metric_groups(u) for u in units}
    for group in ("PUBLICITY", "DIGITIZATION", "SATISFACTION"):
        listed = []
        for parent, children in provinces.values():
            for unit in (parent, *children):
                listed.append({"unitCode": unit.code, "unitName": unit.name,
                               "unitType": unit.unit_type,
                               "parentCode": None if unit is parent else parent.code,
                               "metrics": metric_groups[unit.code][group]})
        rows = sum(len(u["metrics"]) for u in listed)
        _write_json(ctx, f"{folder}/{group.lower()}.json",
                    {"code": 200, "message": "OK", "data": {**period, "group": group,
                                                            "units": listed}}, rows)
    per_node: dict[str, int] = {"PROGRESS": 1, "ONLINE_SERVICE": 3, "PAYMENT": 4}
    node: Callable[[str, _Unit], dict[str, Any]] = _tree_node
    for group, rows_per_node in per_node.items():
        # one file per province tree would be the portal's own paging; one file per month here
        for parent, children in provinces.values():
            tree = {"parent": node(group, parent), "children": [node(group, c) for c in children]}
            _write_json(ctx, f"{folder}/{group.lower()}_{parent.code}.json",
                        {"code": 200, "message": "OK", "data": {**period, "group": group,
                                                                **tree}},
                        rows_per_node * (1 + len(children)))
