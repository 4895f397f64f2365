"""The survey engine, PAR INDEX and their rankings through real dbt runs on two raw layers:

- `hand_built`: simulated surveys with a known true index (the bootstrap coverage test), one
  PAR INDEX round with every province at a known score, a round stopped by a score above its
  maximum, the 34 new units of 2025, a SIPAS year stopped by an answer to an unknown
  question, and five PAPI respondents whose dimension and total are worked by hand;
- `spec_sample`: a generated sample (small dossier part, full survey sizes) loaded by the real
  loader: the facts of SPEC section 7 must come out of the warehouse's own computation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult
from rich.console import Console

from chiso.index_report import print_index_report, rank_change_text, rank_text
from foundation.calendar import calendar_table
from foundation.reference import provinces_gso34, provinces_gso63
from foundation.settings import DBT_PROJECT_DIR
from ingestion.loader import load_inbox
from ingestion.schema import create_raw_schema
from sample_generator import papi
from sample_generator.config import SampleConfig
from sample_generator.generate import generate
from tests.dbt.raw_sample import CALENDAR_YEARS

pytestmark = pytest.mark.e2e

SELECTION = ["+marts.surveys", "+marts.par_index", "+marts.pci", "+assert_index_inputs_are_valid",
             "+assert_par_methodologies_have_eight_fields_of_100_points"]
LOADED_AT = dt.datetime(2026, 1, 5, 8, 0, 0)
SIM_YEARS = range(2001, 2009)  # simulated SIPAS rounds for the coverage test
SIM_RESPONDENTS = 80
STOPPED_SIPAS_YEAR = 2009  # answers a question its questionnaire does not list
FIELD_MAX = 12.5  # the test methodology: eight fields of one criterion each, 100 points
SPEC_SAMPLE = SampleConfig(dossiers=2_000, procedures=40, papi_respondents_per_province=32)
PII_KEY = b"chiso-dbt-tests-" * 2


def run_dbt(tmp: Path, warehouse: Path, *args: str) -> dbtRunnerResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE", str(warehouse))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        return dbtRunner().invoke([
            "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
            str(DBT_PROJECT_DIR), "--target-path", str(tmp / "target"), "--log-path",
            str(tmp / "logs"), "--select", *SELECTION, "--indirect-selection", "cautious", *args,
        ])


def assert_built(result: dbtRunnerResult) -> set[str]:
    """The build succeeded; returns the names of the tests that warned."""
    assert result.success, result.exception or [
        (r.node.name, str(r.status), r.message) for r in result.result
        if str(r.status) not in {"success", "pass", "warn"}]
    return {r.node.name for r in result.result if str(r.status) == "warn"}


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    lineage = {"_source_file": f"test/{table}", "_file_sha256": "sha", "_loaded_at": LOADED_AT}
    full = [{**row, **lineage, "_source_row": i} for i, row in enumerate(rows, start=1)]
    con.register("batch", pa.Table.from_pylist(full))
    con.execute(f"insert into raw.{table} by name select * from batch")
    con.unregister("batch")


# --- the hand-built raw layer -----------------------------------------------------------------


def published(value: float) -> Decimal:
    """Half up at two decimals on the exact decimal: 89.995 -> 90.00."""
    return Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def competition_ranks(values: dict[str, Decimal]) -> dict[str, int]:
    return {k: 1 + sum(o > v for o in values.values()) for k, v in values.items()}


def known_scores_2024() -> dict[str, float]:
    """% of maximum per gso63 province: a descending ladder with a tie at 90.00 (one of them
    89.995, which publishes as 90.00), one at 89.994 (89.99) and a few in bands C and D."""
    codes = [p.code for p in provinces_gso63()]
    ladder = ([97.0 - 0.5 * i for i in range(10)]  # 97 .. 92.5
              + [90.0, 89.995, 89.994]
              + [89.5 - 0.125 * i for i in range(47)]  # 89.5 .. 83.75
              + [78.5, 70.0, 69.875])
    return dict(zip(codes, ladder, strict=True))


def known_scores_2025() -> dict[str, float]:
    return {p.code: round(96.0 - 0.5 * i, 3) for i, p in enumerate(provinces_gso34())}


def par_rows(year: int, scores: dict[str, float]) -> list[dict[str, Any]]:
    """Each province's % spread evenly over the eight one-criterion fields (pct / 8 is an
    exact decimal for the ladders above)."""
    return [{"year": year, "province_code": code, "criterion_code": f"{field}.1",
             "max_points": FIELD_MAX, "appraised_points": pct / 8}
            for code, pct in scores.items() for field in range(1, 9)]


def simulated_sipas(rng: np.random.Generator) -> tuple[list[dict[str, Any]],
                                                       list[dict[str, Any]], dict]:
    """Respondents answering 5 with the unit's true probability p, else 3, with sampling
    weights independent of the answers: the weighted top-two share estimates p."""
    responses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    truth: dict[tuple[int, str], float] = {}
    for year in SIM_YEARS:
        for p in provinces_gso63():
            share = float(rng.uniform(0.55, 0.92))
            truth[(year, p.code)] = 100 * share
            hits = rng.random(SIM_RESPONDENTS) < share
            weights = np.round(rng.lognormal(0.0, 0.3, SIM_RESPONDENTS), 4)
            for i in range(SIM_RESPONDENTS):
                respondent = f"{year}{p.code}{i:04d}"
                responses.append({"survey_id": f"SIM-{year}", "survey_year": year,
                                  "province_code": p.code, "respondent_id": respondent,
                                  "mode": "truc_tiep", "weight": float(weights[i])})
                answers.append({"survey_id": f"SIM-{year}", "respondent_id": respondent,
                                "question_code": "C13", "answer": 5 if hits[i] else 3})
    # a round whose answers include a question its questionnaire does not list
    for i in range(3):
        respondent = f"{STOPPED_SIPAS_YEAR}01{i:04d}"
        responses.append({"survey_id": f"SIM-{STOPPED_SIPAS_YEAR}",
                          "survey_year": STOPPED_SIPAS_YEAR, "province_code": "01",
                          "respondent_id": respondent, "mode": "truc_tiep", "weight": 1.0})
        answers += [{"survey_id": f"SIM-{STOPPED_SIPAS_YEAR}", "respondent_id": respondent,
                     "question_code": q, "answer": 4} for q in ("C13", "C99")]
    return responses, answers, truth


# PAPI 2024, province 01: three respondents (weights 2, 1, 1; two villages) answer dimension 2
# (transparency) as below and every other indicator at its best; province 02 two respondents at
# their best everywhere. None = not asked (a blank cell), 98 = the codebook's "don't know", 7 an
# impossible code on a 1–5 scale.
PAPI_DIMENSION_2 = {
    "d201": (5, 3, 1), "d202": (1, 0, 1), "d203": (0, 1, None), "d204": (0, 1, 1),
    "d205": (4, 98, 2), "d206": (1, 1, 0), "d207": (2, 5, 7),
}


def papi_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    indicators = papi.methodology(2024).indicators
    best = {i.code: i.scale_min if i.reversed else i.scale_max for i in indicators}
    people = [("01", "R1", "0110101", 2.0), ("01", "R2", "0110101", 1.0),
              ("01", "R3", "0110102", 1.0), ("02", "R4", "0210101", 1.0),
              ("02", "R5", "0210101", 1.0)]
    responses, answers = [], []
    for n, (province, respondent, village, weight) in enumerate(people):
        responses.append({"survey_id": "PAPI2024", "survey_year": 2024,
                          "province_code": province, "commune_code": village[:5],
                          "village_code": village, "respondent_id": respondent,
                          "interviewer_id": f"PV{province}-01", "weight": weight,
                          "started_at": dt.datetime(2024, 9, 3, 8 + n),
                          "ended_at": dt.datetime(2024, 9, 3, 8 + n, 45)})
        for code, value in best.items():
            if province == "01" and code in PAPI_DIMENSION_2:
                value = PAPI_DIMENSION_2[code][n]
            answers.append({"survey_id": "PAPI2024", "respondent_id": respondent,
                            "question_code": code, "answer": value})
    codebook = [{"survey_year": 2024, "variable": i.code, "label": i.name,
                 "valid_min": i.scale_min, "valid_max": i.scale_max, "missing_values": "98;99"}
                for i in indicators]
    return responses, answers, codebook


def build_hand_layer(path: Path) -> dict[tuple[int, str], float]:
    con = duckdb.connect(str(path))
    try:
        create_raw_schema(con)
        con.register("calendar", calendar_table(*CALENDAR_YEARS))
        con.execute("create or replace table raw.calendar_days as select * from calendar")
        responses, answers, truth = simulated_sipas(np.random.default_rng(20251))
        insert(con, "sipas_questionnaire", [
            {"survey_year": year, "question_code": "C13", "element_code": "1",
             "element_name": "Tiếp cận dịch vụ", "aspect": "satisfaction", "scale_min": 1,
             "scale_max": 5, "weight": 1.0, "index_rule": "top2_share"}
            for year in [*SIM_YEARS, STOPPED_SIPAS_YEAR]])
        insert(con, "sipas_responses", responses)
        insert(con, "sipas_answers", answers)
        insert(con, "par_methodology", [
            {"methodology_version": "TEST", "valid_from_year": 2023, "valid_to_year": 2030,
             "field_code": str(field), "criterion_code": f"{field}.1", "max_points": FIELD_MAX,
             "source": "tham_dinh"} for field in range(1, 9)])
        stopped = par_rows(2023, known_scores_2024())
        stopped[0]["appraised_points"] = 13.0  # above its 12.5 maximum: stops 2023 only
        insert(con, "par_scores",
               stopped + par_rows(2024, known_scores_2024()) + par_rows(2025, known_scores_2025()))
        papi_responses, papi_answers, papi_codebook = papi_rows()
        insert(con, "papi_responses", papi_responses)
        insert(con, "papi_answers", papi_answers)
        insert(con, "papi_codebook", papi_codebook)
    finally:
        con.close()
    return truth


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict, set[str]]]:
    tmp = tmp_path_factory.mktemp("survey_indices_hand")
    warehouse = tmp / "warehouse.duckdb"
    truth = build_hand_layer(warehouse)
    warned = assert_built(run_dbt(tmp, warehouse))
    con = duckdb.connect(str(warehouse))  # same configuration as dbt-duckdb's open one
    yield con, truth, warned
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_bootstrap_interval_covers_the_true_index_about_95_percent(hand_built) -> None:
    con, truth, _ = hand_built
    found = rows(con, """
        select survey_year, province_code, index_pct, index_low_pct, index_high_pct,
            margin_of_error_pct
        from marts.sipas_index_yearly
        where element_code = '1' and survey_year between ? and ?
    """, min(SIM_YEARS), max(SIM_YEARS))
    assert len(found) == len(truth) == 8 * 63
    covered = [low <= truth[(y, c)] <= high for y, c, _, low, high, _ in found]
    print(f"bootstrap coverage {np.mean(covered):.3f}")
    # 504 seeded surveys: a 95% interval covers 479 ± 10 of them (binomial sd 4.9)
    assert 0.92 <= np.mean(covered) <= 0.98
    by_margin = [abs(index - truth[(y, c)]) <= moe for y, c, index, _, _, moe in found]
    print(f"margin-of-error coverage {np.mean(by_margin):.3f}")
    assert 0.92 <= np.mean(by_margin) <= 0.98  # the Kish-based margin agrees


def _hash_uint32(*values: object) -> int:
    """macros/portable/hashing.sql in Python: the first 32 bits of the MD5 of the values' text
    joined with '|' (the same number on DuckDB and Spark)."""
    text = "|".join(str(v) for v in values)
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16)


def test_bootstrap_replicates_are_a_deterministic_function_of_the_seed(hand_built) -> None:
    con, _, _ = hand_built
    # replicate 7 of Hà Nội 2001 recomputed here in Python: a number per respondent from the
    # hash of (seed, survey, year, respondent), then an Exp(1) weight from the hash of
    # number × 1024 + replicate; a rerun (and Spark) draws exactly the same multipliers
    respondents = rows(con, """
        select survey_code, survey_year, response_key, points, weight_answered, sampling_weight
        from intermediate.int_survey__respondent_scores
        where survey_year = 2001 and unit_key = 'gso63:01' and respondent_score is not null
    """)
    weighted_points = weighted_answered = 0.0
    for survey, year, response_key, points, answered, sampling_weight in respondents:
        number = _hash_uint32(20251, survey, year, response_key) % 2147483648
        uniform = (_hash_uint32(number * 1024 + 7) + 0.5) / 4294967296
        weight = sampling_weight * -math.log(uniform)
        weighted_points += weight * points
        weighted_answered += weight * answered
    (stored,) = rows(con, "select index_pct from intermediate.int_survey__bootstrap_replicates "
                          "where survey_year = 2001 and unit_key = 'gso63:01' "
                          "and replicate = 7")[0]
    assert stored == pytest.approx(100 * weighted_points / weighted_answered, rel=1e-12)
    spread = rows(con, "select count(distinct index_pct), count(*) from "
                       "intermediate.int_survey__bootstrap_replicates "
                       "where survey_year = 2001 and unit_key = 'gso63:01'")[0]
    assert spread == (200, 200)  # 200 different replicates, not one repeated


def test_a_sipas_input_error_stops_only_its_year(hand_built) -> None:
    con, _, warned = hand_built
    assert rows(con, "select check_name, item from intermediate.int_survey__validation") == [
        ("question_not_in_questionnaire", "C99")]
    assert rows(con, "select status, not_computed_reason, index_pct, rank from "
                     "marts.sipas_index_yearly where survey_year = ?", STOPPED_SIPAS_YEAR) == [
        ("not_computed", "1 input error(s), first: question_not_in_questionnaire", None, None)]
    assert rows(con, "select count(*) from marts.sipas_index_yearly where status = 'computed' "
                     "and element_code = 'overall'") == [(8 * 63,)]
    assert "assert_index_inputs_are_valid" in warned  # says so, as a warning


def test_one_par_round_with_every_province_at_a_known_score(hand_built) -> None:
    con, _, _ = hand_built
    scores = known_scores_2024()
    expected_pub = {c: published(v) for c, v in scores.items()}
    expected_rank = competition_ranks(expected_pub)
    region = {p.code: p.region_code for p in provinces_gso63()}
    expected_region_rank = {
        c: 1 + sum(o > v for k, o in expected_pub.items() if region[k] == region[c])
        for c, v in expected_pub.items()}
    found = {r[0]: r[1:] for r in rows(con, """
        select province_code, pct_of_max_published, band, rank, rank_of, region_rank
        from marts.par_index_yearly where year = 2024
    """)}
    assert {c: Decimal(repr(v[0])) for c, v in found.items()} == expected_pub
    assert {c: v[2] for c, v in found.items()} == expected_rank
    assert {c: v[4] for c, v in found.items()} == expected_region_rank
    assert {v[3] for v in found.values()} == {63}
    bands = [v[1] for v in found.values()]
    # A from 90.00 (the 89.995 too), B to 89.99, C 70-<80, D below
    assert sum(p >= 90 for p in expected_pub.values()) == bands.count("A") == 12
    assert (bands.count("B"), bands.count("C"), bands.count("D")) == (48, 2, 1)
    ranked = sorted(scores, key=lambda c: -scores[c])
    tie = [found[c][2] for c in ranked[10:13]]
    assert tie == [11, 11, 13]  # 90.00 and 89.995 share 11th; 89.994 is 13th


def test_a_par_error_stops_only_its_year(hand_built) -> None:
    con, _, _ = hand_built
    assert rows(con, "select year, check_name, province_key, item "
                     "from intermediate.int_par_index__validation") == [
        (2023, "score_above_max", "gso63:01", "1.1")]
    by_year = dict(rows(con, "select year, count(*) filter (where status = 'computed') "
                             "from marts.par_index_yearly group by year"))
    assert by_year == {2023: 0, 2024: 63, 2025: 34}
    assert rows(con, "select distinct not_computed_reason, total_points, rank from "
                     "marts.par_index_yearly where year = 2023") == [
        ("1 input error(s) in the year, first: score_above_max", None, None)]
    # 2024 follows a round that was not computed: no previous rank to change from
    assert rows(con, "select count(*) from marts.par_index_yearly "
                     "where year = 2024 and previous_rank is not null") == [(0,)]


def test_units_new_in_2025_carry_a_comparable_figure(hand_built) -> None:
    con, _, _ = hand_built
    scores = known_scores_2024()
    # Tuyên Quang (gso34:08) = Hà Giang (02) + Tuyên Quang (08): each criterion's points
    # summed over the summed maxima, times one unit's maximum; with equal maxima that is
    # (pct_02 + pct_08) / 2
    expected = (scores["02"] + scores["08"]) / 2
    new, previous, comparable, rank = rows(con, """
        select is_new_unit, previous_rank, comparable_previous_pct, comparable_previous_rank
        from marts.par_index_yearly where year = 2025 and province_key = 'gso34:08'
    """)[0]
    assert (new, previous) == (True, None)
    assert comparable == pytest.approx(expected, abs=1e-9)
    assert rank is not None
    assert rows(con, "select count(*) from marts.par_index_yearly "
                     "where year = 2025 and is_new_unit") == [(34,)]


def test_papi_dimension_and_total_worked_by_hand(hand_built) -> None:
    """Province 01, dimension 2, its four sub-dimensions of 1 ÷ 4 to 10 ÷ 4, from the rescaled
    answers (a − min) / (max − min), reversed (max − a) / (max − min), weights 2, 1, 1:
    2.1 d201 1–5: (2·1 + 0.5 + 0) / 4 = 0.625 -> (1 + 9 × 0.625) / 4 = 1.65625
    2.2 d202: (2 + 0 + 1) / 4 = 0.75; d203 reversed, R3 not asked: (2·1 + 0) / 3 = 2/3
        -> (1 + 9 × (0.75 + 2/3) / 2) / 4 = 1.84375
    2.3 d204: (0 + 1 + 1) / 4 = 0.5; d205 1–4, R2's 98 is "don't know": (2·1 + 1/3) / 3 = 7/9
        -> (1 + 9 × (0.5 + 7/9) / 2) / 4 = 1.6875
    2.4 d206: (2 + 1 + 0) / 4 = 0.75; d207 1–5 reversed, R3's 7 left out: (2·0.75 + 0) / 3 = 0.5
        -> (1 + 9 × 0.625) / 4 = 1.65625
    dimension 2 = 6.84375; the seven other dimensions are answered at their best, 10 each: the
    total is 76.84375 out of 80, published at four decimals 76.8438. Province 02 scores 80."""
    con, _, _ = hand_built
    found = {(r[0], r[1]): r[2:] for r in rows(con, """
        select province_code, component_code, score, score_published, rank, rank_of, rank_group
        from marts.papi_index_yearly where survey_year = 2024
    """)}
    assert found[("01", "2.1")][0] == pytest.approx(1.65625, abs=1e-12)
    assert found[("01", "2.2")][0] == pytest.approx(1.84375, abs=1e-12)
    assert found[("01", "2.3")][0] == pytest.approx(1.6875, abs=1e-12)
    assert found[("01", "2.4")][0] == pytest.approx(1.65625, abs=1e-12)
    assert found[("01", "2")][0] == pytest.approx(6.84375, abs=1e-12)
    assert all(found[("01", str(d))][0] == pytest.approx(10.0) for d in (1, 3, 4, 5, 6, 7, 8))
    assert found[("01", "total")][:4] == (pytest.approx(76.84375, abs=1e-12), 76.8438, 2, 2)
    assert found[("02", "total")][:4] == (pytest.approx(80.0), 80.0, 1, 2)
    # of two ranked, the second has half the provinces above it: the mean-low quarter
    assert (found[("01", "total")][4], found[("02", "total")][4]) == ("mean_low", "highest")
    assert rows(con, "select count(*) from marts.papi_index_yearly where survey_year = 2024 "
                     "and component_level = 'sub_dimension' and province_code = '01'") == [(28,)]


# --- the SPEC 7 facts from a generated sample ---------------------------------------------------


@pytest.fixture(scope="module")
def spec_sample(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple[duckdb.DuckDBPyConnection, set[str]]]:
    tmp = tmp_path_factory.mktemp("survey_indices_spec")
    warehouse = tmp / "warehouse.duckdb"
    generate(SPEC_SAMPLE, tmp / "inbox")
    con = duckdb.connect(str(warehouse))
    try:
        load_inbox(con, tmp / "inbox", pii_key=PII_KEY)
        con.register("calendar", calendar_table(*CALENDAR_YEARS))
        con.execute("create or replace table raw.calendar_days as select * from calendar")
    finally:
        con.close()
    warned = assert_built(run_dbt(tmp, warehouse))
    con = duckdb.connect(str(warehouse))  # same configuration as dbt-duckdb's open one
    yield con, warned
    con.close()


def test_par_2024_facts(spec_sample) -> None:
    con, _ = spec_sample
    bands = dict(rows(con, "select band, count(*) from marts.par_index_yearly "
                           "where year = 2024 group by band"))
    assert bands == {"A": 13, "B": 50}
    assert rows(con, "select round(avg(pct_of_max_published), 2) from marts.par_index_yearly "
                     "where year = 2024") == [(88.37,)]
    assert rows(con, "select province_name, pct_of_max_published from marts.par_index_yearly "
                     "where year = 2024 and rank = 1") == [("Thành phố Hải Phòng", 96.17)]
    assert rows(con, """
        select rank, rank_of, pct_of_max_published, rank_change, pct_change, region_name,
            region_rank
        from marts.par_index_yearly where year = 2024 and province_name = 'Đắk Nông'
    """) == [(50, 63, 86.6, 1, 1.18, "Tây Nguyên", 2)]
    assert rows(con, "select province_name, pct_of_max_published from marts.par_index_yearly "
                     "where year = 2024 and region_code = 'TN' and region_rank = 1") == [
        ("Kon Tum", 88.27)]
    assert rows(con, "select round(avg(pct_of_max_published), 2) from marts.par_index_yearly "
                     "where year = 2023") == [(86.98,)]
    # the eight fields add up to each province's total, and survey points are computed
    assert rows(con, """
        select count(*) from (
            select f.province_key
            from marts.par_index_fields_yearly as f
            inner join marts.par_index_yearly as p using (year, province_key)
            where f.year = 2024
            group by f.province_key
            having count(*) <> 8 or abs(sum(f.points) - max(p.total_points)) > 0.000001
                or abs(sum(f.survey_points) - max(p.survey_points)) > 0.000001
                or max(p.survey_points) <= 0
        )
    """) == [(0,)]


def test_thai_binh_2022_and_sipas_2023_facts(spec_sample) -> None:
    con, _ = spec_sample
    assert rows(con, """
        select rank, rank_of, rank_change from marts.sipas_index_yearly
        where survey_year = 2022 and province_name = 'Thái Bình' and element_code = 'overall'
    """) == [(13, 63, 27)]
    assert rows(con, "select rank, rank_of, rank_change from marts.par_index_yearly "
                     "where year = 2022 and province_name = 'Thái Bình'") == [(43, 63, 7)]
    assert rows(con, "select round(avg(index_pct_published), 2) from marts.sipas_index_yearly "
                     "where survey_year = 2023 and element_code = 'overall'") == [(82.66,)]


def test_pci_and_papi_facts(spec_sample) -> None:
    con, _ = spec_sample
    # PCI as VCCI published it: Thái Bình 28th of 63 in 2022, up 19 (seed 004)
    assert rows(con, "select rank, rank_of, rank_change, rank = rank_as_ranked from "
                     "marts.pci_index_yearly where year = 2022 and province_name = 'Thái Bình'"
                ) == [(28, 63, 19, True)]
    # every row of every table found its province (TP. Hồ Chí Minh, Thừa Thiên Huế by name)
    assert rows(con, "select year, count(*) from marts.pci_index_yearly group by 1 order by 1"
                ) == [(2021, 63), (2022, 63), (2023, 63), (2024, 63)]
    # PAPI 2024 Nam Định 44.35 (Báo Nam Định): the total the warehouse computes, at four
    # decimals as PAPI publishes it, rounds to the press's two
    (total,) = rows(con, "select score_published from marts.papi_index_yearly where "
                         "survey_year = 2024 and province_name = 'Nam Định' "
                         "and component_code = 'total'")[0]
    assert round(total, 2) == 44.35 and total == round(total, 4)


def test_generated_sample_rounds_and_planted_errors(spec_sample) -> None:
    con, warned = spec_sample
    # the planted scores above their maximum fall in 2025: that round stops, the others not
    assert rows(con, "select distinct year, check_name from intermediate.int_par_index__validation"
                ) == [(2025, "score_above_max")]
    assert dict(rows(con, "select year, min(status) from marts.par_index_yearly group by year")
                ) == {2021: "computed", 2022: "computed", 2023: "computed", 2024: "computed",
                      2025: "not_computed"}
    assert "assert_index_inputs_are_valid" in warned
    # SIPAS 2025: the 34 new provinces, each with a comparable figure from its predecessors
    assert rows(con, """
        select count(*), count(comparable_previous_index_pct), min(rank_of)
        from marts.sipas_index_yearly where survey_year = 2025 and element_code = 'overall'
            and is_new_unit
    """) == [(34, 34, 34)]
    # Nam Định's internal index: departments averaged 84.8 points, up 8.04%; districts 91.93
    means = rows(con, """
        select block, round(block_mean_points, 2), round(block_mean_change_pct, 2)
        from marts.par_internal_index_yearly where year = 2024 group by all order by block
    """)
    assert means == [("huyen", 91.93, 7.05), ("so_nganh", 84.8, 8.04)]
    # ranked within the block: 18 departments, "of 18"
    assert rows(con, "select count(rank), min(rank), max(rank_of) from "
                     "marts.par_internal_index_yearly where year = 2024 and block = 'so_nganh'"
                ) == [(18, 1, 18)]


def test_the_run_summary_prints_both_indices(spec_sample) -> None:
    con, _ = spec_sample
    console = Console(record=True, width=140)
    print_index_report(con, console)
    text = console.export_text()
    # PAR 2025 is stopped by the planted scores: said so, and 2024 is shown instead
    assert "Chỉ số CCHC (PAR INDEX) 2025: not computed (3 input error(s)" in text
    assert "Chỉ số CCHC (PAR INDEX) 2024: 10 đầu, 5 cuối" in text
    first_par = next(line for line in text.splitlines() if "1/63" in line)
    assert "Thành phố Hải Phòng" in first_par and "96.17" in first_par and " A " in first_par
    assert "Chỉ số hài lòng (SIPAS) 2025" in text and "1/34" in text and "mới" in text
    assert text.count("…") >= 2  # top ten, a gap, bottom five, in both tables


@pytest.mark.parametrize(("change", "noise", "new", "comparable", "expected"), [
    (27, True, False, None, "+27*"),
    (-3, False, False, None, "-3"),
    (0, False, False, None, "="),
    (None, None, True, 2, "mới (+2 so sánh)"),
    (None, None, True, None, "mới"),
    (None, None, False, None, ""),
])
def test_rank_change_text(change: int | None, noise: bool | None, new: bool,
                          comparable: int | None, expected: str) -> None:
    assert rank_change_text(change, noise, new, comparable) == expected


def test_rank_text_reads_n_of_m_with_its_interval() -> None:
    assert rank_text(13, 63, 9, 18) == "13/63 (9–18)"
    assert rank_text(13, 63, None, None) == "13/63"
