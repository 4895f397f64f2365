"""Every survey check on a tiny warehouse built by hand: SIPAS 2024 (63 provinces) and 2025 (34),
honest provinces answering from an ordered-probit model with a respondent effect, and one
province per defect. Each check fires on its province and on no honest one — including a
homogeneous but honest province that a fixed 85% near-duplicate cut-off flags and the
calibrated check does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from ingestion.schema import create_raw_schema
from quality.suites import EXPECTATIONS_DIR, load_suite_file
from quality.validate import validate
from tests.dbt.raw_sample import _insert
from tests.quality.warehouse import dbt, failures

pytestmark = pytest.mark.e2e

QUESTIONS = [f"C{i:02d}" for i in range(1, 25)]  # 24 questions on 1–5, as SIPAS asks
PER_PROVINCE = 40
HOMOGENEOUS = "gso34:25"  # honest, everybody very satisfied: mostly 5, some 4
DEFECTS = {
    "gso34:01": "survey_straight_lining",
    "gso34:04": "survey_near_duplicates",
    "gso34:15": "survey_dominant_interviewer",
    "gso34:44": "survey_short_interviews",
    "gso34:08": "survey_lost_structure",
    "gso34:12": "survey_low_answer_variance",
    "gso34:14": "survey_margin_of_error",
    "gso34:19": "survey_year_on_year_jump",
    "gso34:20": "survey_duplicate_vectors",
}


def honest(rng: np.random.Generator, n: int, level: float) -> np.ndarray:
    latent = level + rng.normal(0, 0.6, (n, 1)) + rng.normal(0, 0.8, (n, len(QUESTIONS)))
    return np.digitize(latent, [-1.8, -1.0, 0.0, 1.3]) + 1


def survey_rows(year: int, code_system: str, codes: list[str], successors: dict[str, str],
                rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
    responses, answers = [], []
    start = dt.datetime(year, 9, 3, 8, 0)
    for code in codes:
        key = f"{code_system}:{code}"
        defect = DEFECTS.get(key) if year == 2025 else None
        n = 4 if defect == "survey_margin_of_error" else PER_PROVINCE
        # provinces differ a little, the same across the merger (by the 2025 province)
        level = 0.9 + 0.3 * ((int(successors.get(code, code)) * 7919) % 11 - 5) / 5
        if year == 2024 and code in {"06", "19"}:  # predecessors of gso34:19: a poor 2024
            level = -1.5
        block = honest(rng, n, level)
        if key == HOMOGENEOUS:
            block = honest(rng, n, 2.5)  # very satisfied: nine answers in ten are 5
        elif defect == "survey_margin_of_error":  # four respondents, split: no estimate
            block[: n // 2] = honest(rng, n // 2, -2.0)
        elif defect == "survey_straight_lining":
            block[: n // 2] = rng.choice([5, 4], n // 2)[:, None]
        elif defect == "survey_near_duplicates":
            for i in range(1, n // 2, 2):  # every other respondent copies one, changing one answer
                block[i] = block[i - 1]
                j = rng.integers(len(QUESTIONS))
                block[i, j] = block[i, j] % 5 + 1
        elif defect == "survey_lost_structure":
            block = rng.integers(1, 6, (n, len(QUESTIONS)))  # invented: no respondent behind them
        elif defect == "survey_low_answer_variance":
            block = np.repeat(rng.integers(3, 6, (n, 1)), len(QUESTIONS), axis=1)
            block[np.arange(n), rng.integers(0, len(QUESTIONS), n)] -= 1  # one answer moved by 1
        elif defect == "survey_duplicate_vectors":
            block[n // 2: n // 2 + 6] = block[:6]  # six questionnaires copied whole
        for i in range(n):
            respondent = f"{year}{code}{i:04d}"
            interviewer = f"DTV{code}-{(i % 6) + 1:02d}"
            if defect == "survey_dominant_interviewer" and i % 5 != 0:
                interviewer = f"DTV{code}-01"
            minutes = 25 + (i % 7)
            if defect == "survey_short_interviews" and i % 2 == 0:
                minutes = 3
            begin = start + dt.timedelta(days=i % 10, minutes=37 * (i % 9))
            responses.append({
                "survey_id": f"SIPAS-{year}", "survey_year": year, "province_code": code,
                "respondent_id": respondent, "interviewer_id": interviewer, "mode": "truc_tiep",
                "started_at": begin, "ended_at": begin + dt.timedelta(minutes=minutes),
                "weight": 1.0})
            answers.extend({"survey_id": f"SIPAS-{year}", "respondent_id": respondent,
                            "question_code": q, "answer": int(block[i, j])}
                           for j, q in enumerate(QUESTIONS))
    return responses, answers


@dataclass
class Built:
    warehouse: Path
    failing: dict[str, set[str]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("survey_checks")
    warehouse = tmp / "warehouse.duckdb"
    rng = np.random.default_rng(12)
    con = duckdb.connect(str(warehouse))
    try:
        create_raw_schema(con)
        questionnaire = [{"survey_year": y, "question_code": q, "element_code": str(1 + j % 5),
                          "aspect": "satisfaction", "scale_min": 1, "scale_max": 5, "weight": 1.0}
                         for y in (2024, 2025) for j, q in enumerate(QUESTIONS)]
        _insert(con, "sipas_questionnaire", questionnaire, "surveys/q.csv")
        for year, system, provinces in ((2024, "gso63", provinces_gso63()),
                                        (2025, "gso34", provinces_gso34())):
            successors = {p.code: p.successor_code for p in provinces_gso63()} if year == 2024 \
                else {}
            responses, answers = survey_rows(year, system, [p.code for p in provinces],
                                             successors, rng)
            _insert(con, "sipas_responses", responses, f"surveys/sipas_{year}.csv")
            _insert(con, "sipas_answers", answers, f"surveys/sipas_{year}.csv")
    finally:
        con.close()
    result = dbt(tmp, warehouse, "build", "--select", "+quality_survey_anomalies",
                 "--indirect-selection", "cautious")
    assert result.returncode == 0, failures(result)
    validation = validate(warehouse, [load_suite_file(EXPECTATIONS_DIR / "anomaly_surveys.json")],
                          tmp / "gx")
    failing: dict[str, set[str]] = {}
    for outcome in validation.outcomes:
        assert outcome.error is None, outcome.error
        failing[outcome.expectation.check] = {
            k["unit_key"] for k in outcome.unexpected_keys if k["survey_id"] == "SIPAS-2025"}
    yield Built(warehouse, failing)


@pytest.mark.parametrize(("unit", "check"), sorted(DEFECTS.items()))
def test_each_check_fires_on_its_province(built: Built, unit: str, check: str) -> None:
    assert unit in built.failing[check], built.failing


@pytest.mark.parametrize("check", sorted(set(DEFECTS.values())))
def test_no_check_fires_on_an_honest_province(built: Built, check: str) -> None:
    # a defect province may trip a neighbouring check too (copied answers also lose variance);
    # an honest one never does — except that a province where half the respondents answer 5 to
    # everything is worth a steward's look even when honest: straight-lining flags it (its
    # respondent effect makes more all-5 sheets than the permutation null allows)
    allowed = set(DEFECTS) | ({HOMOGENEOUS} if check == "survey_straight_lining" else set())
    assert built.failing[check] - allowed == set(), built.failing[check]


def test_homogeneous_honest_province_fixed_85_flags_it_calibrated_does_not(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        fixed_share, calibrated, threshold = con.execute("""
            select avg(case when n.max_identical_share >= 0.85 then 1e0 else 0e0 end),
                any_value(a.near_duplicate_share), any_value(a.near_duplicate_threshold)
            from intermediate.int_quality__survey_near_duplicates as n
            inner join marts.quality_survey_anomalies as a
                on a.survey_id = n.survey_id and a.unit_key = n.province_key
            where n.survey_id = 'SIPAS-2025' and n.province_key = ?""",
                                                          [HOMOGENEOUS]).fetchone()
        honest_fixed = con.execute("""
            select avg(case when max_identical_share >= 0.85 then 1e0 else 0e0 end)
            from intermediate.int_quality__survey_near_duplicates
            where survey_id = 'SIPAS-2025' and province_key not in ?""",
                                   [[HOMOGENEOUS, *DEFECTS]]).fetchone()[0]
    finally:
        con.close()
    # about nine answers in ten are 5 (latent level 2.5 against the 4|5 cut at 1.3, sd 1): two
    # honest respondents agree on a question ~4 times in 5, so among 39 others someone matches
    # at least 21 of 24 (87.5%) for most respondents
    assert fixed_share > 0.5 > 0.1 > honest_fixed
    assert threshold > 0.85  # the calibrated cut-off knows this province agrees by nature
    assert calibrated < 0.2
    assert HOMOGENEOUS not in built.failing["survey_near_duplicates"]
    for check in ("survey_duplicate_vectors", "survey_low_answer_variance",
                  "survey_lost_structure", "survey_margin_of_error"):
        assert HOMOGENEOUS not in built.failing[check], check
