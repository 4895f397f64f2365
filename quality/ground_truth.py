"""Precision and recall of the anomaly flags against a generated sample's `_ground_truth.json`.

A planted defect names a unit (province or agency) and, for surveys and months, a period; a flag
is a failed error-severity anomaly result. Both are compared per unit and period, the way a
steward reads them: a gaming agency flagged in both years of its log is two true flags."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from quality.results import Result

SURVEY_KINDS = {"survey_dominant_interviewer", "survey_straight_lining", "survey_short_interviews"}
AGENCY_KINDS = {"gaming_close_at_due", "gaming_supplement_on_last_day"}


@dataclass(frozen=True)
class Score:
    family: str
    planted: int
    flagged: int
    true_flags: int
    found: int
    false_flags_by_index_year: dict[str, int]

    @property
    def precision(self) -> float:
        return self.true_flags / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def _months(first: str, last: str) -> set[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    out, month = set(), start.replace(day=1)
    while month <= end:
        out.add(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def planted_units(truth: dict) -> dict[str, dict[str, set[dt.date] | None]]:
    """family -> unit key -> the periods planted (None: any period of the unit)."""
    planted: dict[str, dict[str, set[dt.date] | None]] = {"surveys": {}, "dossiers": {}}
    for defect in truth["defects"]:
        d, kind = defect["details"], defect["kind"]
        if kind in SURVEY_KINDS:
            key = f"{d['code_system']}:{d['province_code']}"
            planted["surveys"].setdefault(key, set()).add(dt.date(int(d["year"]), 1, 1))
        elif kind in AGENCY_KINDS:
            planted["dossiers"][d["agency_code"]] = None  # the agency games all its dossiers
        elif kind == "sync_gap":
            key = f"{d['code_system']}:{d['province_code']}"
            planted["dossiers"].setdefault(key, set()).update(_months(d["from"], d["to"]))
        elif kind == "self_report_mismatch":
            key = f"{d['code_system']}:{d['province_code']}"
            planted["dossiers"][key] = None
    return planted


def score(results: list[Result], truth_path: Path) -> list[Score]:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    planted = planted_units(truth)
    scores = []
    for family, indices in (("surveys", {"sipas", "par_index", "papi"}),
                            ("dossiers", {"dossier_indicators", "service_index"})):
        flags = {(r.unit_key, r.period_start, r.index_code) for r in results
                 if r.layer == "anomaly" and not r.passed and r.severity == "error"
                 and r.index_code in indices}
        units = planted[family]

        def is_true(unit: str | None, period: dt.date | None, units=units) -> bool:
            if unit not in units:
                return False
            periods = units[unit]
            return periods is None or period in periods

        unit_periods = {(u, p) for u, p, _ in flags}
        true_flags = {f for f in unit_periods if is_true(*f)}
        false_by = Counter(f"{i} {p.year}" for u, p, i in flags if not is_true(u, p))
        found = {u for u, _ in true_flags}
        scores.append(Score(family, len(units), len(unit_periods), len(true_flags), len(found),
                            dict(false_by)))
    return scores


def describe(scores: list[Score]) -> str:
    lines = []
    for s in scores:
        lines.append(
            f"{s.family}: {s.found}/{s.planted} planted units flagged (recall {s.recall:.0%}), "
            f"{s.true_flags}/{s.flagged} flags true (precision {s.precision:.0%})"
            + (f"; false flags by index and year: {s.false_flags_by_index_year}"
               if s.false_flags_by_index_year else ""))
    return "\n".join(lines)
