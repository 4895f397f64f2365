"""Every survey check on a tiny warehouse built by hand: SIPAS 2024 (63 provinces) and 2025 (34),
honest provinces answering from an ordered-probit model with a respondent effect, and one
province per defect. Each check fires on its province and on no honest one — including a
homogeneous but honest province that a fixed 85% near-duplicate cut-off flags and the
calibrated checks do not — and a province too small to judge is said to be so."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import duckdb
import numpy as np
import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from ingestion.schema import create_raw_schema
from quality.results import Result, anomaly_results
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
    "gso34:33": "survey_interviewer_variance",
}
SMALL = "gso34:14"  # four respondents: the margin of error flags it, nothing else can judge it
# the checks that test a province against its null (the margin of error and the year-on-year
# change are rules without one)
STATISTICAL = ("survey_straight_lining", "survey_duplicate_vectors", "survey_near_duplicates",
               "survey_dominant_interviewer", "survey_interviewer_variance",
               "survey_short_interviews", "survey_low_answer_variance", "survey_lost_structure")


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
        if key == HOMOGENEOUS or successors.get(code) == HOMOGENEOUS.split(":")[1]:
            # very satisfied, year after year: nine answers in ten are 5
            block = honest(rng, n, 2.5)
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
        elif defect == "survey_interviewer_variance":  # a team of four, one of whom invents
            ones = np.arange(n) % 4 == 0  # delighted respondents in an ordinary province
            block[ones] = honest(rng, int(ones.sum()), 2.5)
        for i in range(n):
            respondent = f"{year}{code}{i:04d}"
            team = 4 if defect == "survey_interviewer_variance" else 6
            interviewer = f"DTV{code}-{(i % team) + 1:02d}"
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
    results: list[Result]


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
    results: list[Result] = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for outcome in validation.outcomes:
            assert outcome.error is None, outcome.error
            failing[outcome.expectation.check] = {
                k["unit_key"] for k in outcome.unexpected_keys if k["survey_id"] == "SIPAS-2025"}
            results += anomaly_results(con, outcome)
    finally:
        con.close()
    yield Built(warehouse, failing, results)


@pytest.mark.parametrize(("unit", "check"), sorted(DEFECTS.items()))
def test_each_check_fires_on_its_province(built: Built, unit: str, check: str) -> None:
    assert unit in built.failing[check], built.failing


@pytest.mark.parametrize("check", sorted(set(DEFECTS.values())))
def test_no_check_fires_on_an_honest_province(built: Built, check: str) -> None:
    # a defect province may trip a neighbouring check too (copied answers also lose variance);
    # an honest one never does, the homogeneous one included
    assert built.failing[check] - set(DEFECTS) - {SMALL} == set(), built.failing[check]


def test_a_province_too_small_to_judge_is_said_so_not_flagged(built: Built) -> None:
    assert SMALL in built.failing["survey_margin_of_error"]  # PAPI's rule still applies
    small = {r.check_name: r for r in built.results
             if r.unit_key == SMALL and r.period_start == dt.date(2025, 1, 1)}
    for check in STATISTICAL:
        assert small[check].outcome == "insufficient_sample", check
        assert small[check].passed and small[check].tested_value is None
        assert small[check].message_vi.startswith("không đủ mẫu để đánh giá (4 người trả lời)")
    # a province of ordinary size is judged by every check
    judged = {r.check_name: r.outcome for r in built.results
              if r.unit_key == "gso34:40" and r.period_start == dt.date(2025, 1, 1)}
    assert set(judged.values()) == {"passed"}, judged


def test_holm_keeps_the_round_to_one_family(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        families = con.execute("""
            select survey_id, min(survey_tests), max(survey_tests), count(*)
            from marts.quality_survey_anomalies group by 1 order by 1""").fetchall()
    finally:
        con.close()
    # every judged test of a round in one family: eight checks per province judged, fewer for
    # the small province and for the interviewer checks where teams are too small
    for survey_id, low, high, provinces in families:
        assert low == high, survey_id
        assert 6 * (provinces - 1) <= low <= 8 * provinces, (survey_id, low)


def test_homogeneous_honest_province_fixed_85_flags_it_calibrated_does_not(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        fixed_share, calibrated, expected, threshold = con.execute("""
            select avg(case when n.max_identical_share >= 0.85 then 1e0 else 0e0 end),
                any_value(a.near_duplicate_share), any_value(a.near_duplicate_expected_share),
                any_value(a.near_duplicate_threshold)
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
    assert HOMOGENEOUS not in built.failing["survey_near_duplicates"]
    # and so do the others: identical questionnaires and straight lines are expected here
    for check in (*STATISTICAL, "survey_margin_of_error"):
        assert HOMOGENEOUS not in built.failing[check], check
    # many respondents reach even the calibrated cut-off here, as many as the null model expects
    assert expected > 0.1 and calibrated < 2 * expected


def poisson_at_least(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), summed term by term."""
    below = math.fsum(math.exp(j * math.log(mean) - mean - math.lgamma(j + 1)) for j in range(k))
    return 1.0 - below


def test_poisson_helper_against_a_hand_worked_tail() -> None:
    # P(X ≥ 3 | 0.5) = 1 − e^(−0.5) (1 + 0.5 + 0.5²/2)
    assert poisson_at_least(3, 0.5) == pytest.approx(1 - math.exp(-0.5) * 1.625, rel=1e-12)


def test_count_checks_use_the_exact_poisson_tail(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        rows = con.execute("""
            select check_name, province_key, observed_count, expected_count, deviate
            from intermediate.int_quality__survey_tests
            where judged and expected_count is not null and observed_count > expected_count
                and expected_count > 1e-6""").fetchall()
    finally:
        con.close()
    assert len(rows) > 20
    checked = 0
    for check, province, k, mean, deviate in rows:
        p = poisson_at_least(int(k), mean)
        if p < 1e-12:  # beyond double precision in 1 − Σ: the model sums the tail itself
            assert deviate > 7, (check, province)
            continue
        assert deviate == pytest.approx(-NormalDist().inv_cdf(p), abs=1e-5), (check, province)
        checked += 1
    assert checked > 10


def test_empirical_null_and_holm_correction(built: Built) -> None:
    """Recomputed here from the deviates: the survey's empirical null (median and 1.4826 × MAD
    of the mid-p deviates, never below 0 and 1), the upper-tail p-value, and Holm's step-down
    adjustment over every judged test of the round."""
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        tests = con.execute("""
            select survey_id, province_key, check_name, deviate, mid_deviate
            from intermediate.int_quality__survey_tests where judged""").fetchall()
        short = {"survey_straight_lining": "straight_lining",
                 "survey_duplicate_vectors": "duplicate_vector",
                 "survey_near_duplicates": "near_duplicate",
                 "survey_short_interviews": "short_interview",
                 "survey_dominant_interviewer": "top_interviewer",
                 "survey_interviewer_variance": "interviewer_variance",
                 "survey_low_answer_variance": "answer_variance",
                 "survey_lost_structure": "lost_structure"}
        adjusted = {}
        for check, name in short.items():
            for survey_id, unit, value in con.execute(
                    f"select survey_id, unit_key, {name}_p_adjusted "
                    "from marts.quality_survey_anomalies").fetchall():
                adjusted[(survey_id, unit, check)] = value
    finally:
        con.close()
    p_values: dict[tuple[str, str, str], float] = {}
    for (survey_id, check) in {(t[0], t[2]) for t in tests}:
        mids = [t[4] for t in tests if t[0] == survey_id and t[2] == check]
        centre = statistics.median(mids)
        spread = 1.4826 * statistics.median(abs(m - centre) for m in mids)
        for t in tests:
            if t[0] == survey_id and t[2] == check:
                z = (t[3] - max(centre, 0.0)) / max(spread, 1.0)
                p_values[(survey_id, t[1], check)] = NormalDist().cdf(-z)
    for survey_id in {key[0] for key in p_values}:
        family = sorted((p, key) for key, p in p_values.items() if key[0] == survey_id)
        running = 0.0
        for rank, (p, key) in enumerate(family, start=1):
            running = max(running, min(1.0, (len(family) - rank + 1) * p))
            assert adjusted[key] == pytest.approx(running, rel=1e-6, abs=1e-12), key
    # a province not judged by a check has no p-value for it
    assert all(value is None for key, value in adjusted.items() if key not in p_values)
