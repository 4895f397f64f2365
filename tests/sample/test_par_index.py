"""The PAR INDEX sample: methodology, calibrated provincial scores, Nam Định's internal index."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import mean, median
from typing import Any

import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator import par_index, surveys
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.truth import GroundTruth
from tests.support.readback import read_rows

CONFIG = SampleConfig(seed=7, survey_respondents_per_province=30, officials_per_province=10)
YEARS = (2021, 2022, 2023, 2024, 2025)
REGION = {p.code: p.region_code for p in provinces_gso63()}


def _generate(inbox: Path, config: SampleConfig = CONFIG
              ) -> tuple[GroundTruth, surveys.SurveyResults]:
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    planned = par_index.plan_totals(ctx)
    results = surveys.generate(ctx, planned)
    par_index.generate(ctx, planned, results)
    return ctx.truth, results


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, GroundTruth, surveys.SurveyResults]:
    inbox = tmp_path_factory.mktemp("par")
    truth, results = _generate(inbox)
    return inbox, truth, results


@pytest.fixture(scope="module")
def sample(generated: tuple[Path, GroundTruth, surveys.SurveyResults]
           ) -> tuple[Path, GroundTruth]:
    return generated[0], generated[1]


@pytest.fixture(scope="module")
def survey_points(generated: tuple[Path, GroundTruth, surveys.SurveyResults]
                  ) -> dict[int, dict[str, float]]:
    """Survey points per year and province, from the surveys' indices as the warehouse
    computes them (max points × index / 100, half up to the cent)."""
    _, _, results = generated
    out: dict[int, dict[str, float]] = {}
    for year in YEARS:
        out[year] = {}
        for code, sipas in results.sipas[year].items():
            fields = results.officials[year][code]
            cents = sum(
                par_index.survey_points_cents(
                    c.max_points, sipas if c.code == "8.1" else float(fields[c.field - 1]))
                for c in par_index.CRITERIA if c.source == par_index.SURVEY)
            out[year][code] = cents / 100
    return out


@pytest.fixture(scope="module")
def scores(sample: tuple[Path, GroundTruth]) -> dict[int, list[dict[str, Any]]]:
    inbox, _ = sample
    return {y: read_rows(inbox / f"par_index/scores_{y}.csv") for y in YEARS}


@pytest.fixture(scope="module")
def methodology(sample: tuple[Path, GroundTruth]) -> list[dict[str, Any]]:
    inbox, _ = sample
    return read_rows(inbox / "par_index/methodology_876-QD-BNV.csv")


def totals(rows: list[dict[str, Any]], survey: dict[str, float]) -> dict[str, float]:
    """Total per province: appraised points capped at the maximum (the planted above-max cells
    had full marks, so capping restores the true totals) plus the survey points."""
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["appraised_points"] is not None:
            out[r["MaTinh"]] += min(float(r["appraised_points"]), float(r["max_points"]))
    return {k: round(v + survey[k], 2) for k, v in out.items()}


def ranks(total: dict[str, float]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4)."""
    return {k: 1 + sum(other > v for other in total.values()) for k, v in total.items()}


def test_same_seed_gives_identical_bytes(tmp_path: Path,
                                         sample: tuple[Path, GroundTruth]) -> None:
    inbox, truth = sample
    again, _ = _generate(tmp_path)
    for f in truth.files:
        assert (tmp_path / f.path).read_bytes() == (inbox / f.path).read_bytes(), f.path
    assert again.defects == truth.defects


def test_methodology_totals_100_with_a_third_from_surveys(
        methodology: list[dict[str, Any]]) -> None:
    points = [float(m["max_points"]) for m in methodology]
    assert sum(points) == pytest.approx(100.0)
    survey = sum(float(m["max_points"]) for m in methodology if m["source"] == "dieu_tra_xhh")
    assert 28 <= survey <= 38
    assert {m["source"] for m in methodology} == {"tham_dinh", "dieu_tra_xhh"}
    assert {m["field_code"] for m in methodology} == {str(f) for f in range(1, 9)}
    assert {m["methodology_version"] for m in methodology} == {"876/QĐ-BNV"}
    assert all(m["valid_from_year"] == "2022" and m["note"] for m in methodology)
    for m in methodology:
        assert m["criterion_code"].split(".")[0] == m["field_code"]
        if m["parent_code"]:
            assert m["criterion_code"].startswith(m["parent_code"] + ".")


def test_the_2021_round_has_its_own_methodology_file(sample: tuple[Path, GroundTruth]) -> None:
    inbox, _ = sample
    earlier = read_rows(inbox / "par_index/methodology_1150-QD-BNV.csv")
    assert {m["methodology_version"] for m in earlier} == {"1150/QĐ-BNV"}
    assert {(m["valid_from_year"], m["valid_to_year"]) for m in earlier} == {("2020", "2021")}
    assert all("approximate" in m["note"] for m in earlier)


def test_every_province_scores_every_criterion(
        scores: dict[int, list[dict[str, Any]]], methodology: list[dict[str, Any]]) -> None:
    maxima = {m["criterion_code"]: m["max_points"] for m in methodology}
    for year, rows in scores.items():
        provinces = provinces_gso63() if year <= 2024 else provinces_gso34()
        assert {r["MaTinh"] for r in rows} == {p.code for p in provinces}
        assert len(rows) == len(provinces) * len(maxima)
        for r in rows:
            assert r["year"] == str(year)
            assert r["max_points"] == maxima[r["criterion_code"]]
            survey = r["criterion_code"] in {
                m["criterion_code"] for m in methodology if m["source"] == "dieu_tra_xhh"}
            # survey criteria are listed empty: their points come from the surveys
            assert (r["self_assessed_points"] is None) == survey
            assert (r["evidence_ref"] is None) == survey
            assert (r["appraised_points"] is None) == survey
            if not survey:
                assert 0 <= float(r["self_assessed_points"]) <= float(r["max_points"])
                assert "/" in r["evidence_ref"]


def test_only_planted_scores_exceed_their_maximum(
        sample: tuple[Path, GroundTruth], scores: dict[int, list[dict[str, Any]]]) -> None:
    _, truth = sample
    planted = [d for d in truth.defects if d.kind == "par_score_above_max"]
    assert len(planted) == CONFIG.defects.par_above_max_count
    found = {
        (f"par_index/scores_{y}.csv", i)
        for y, rows in scores.items()
        for i, r in enumerate(rows, start=1)
        if r["appraised_points"] is not None
        and float(r["appraised_points"]) > float(r["max_points"])
    }
    assert found == {(d.file, row) for d in planted for row in d.rows}
    for d in planted:
        assert d.layer == "consistency" and len(d.rows) == 1
        row = scores[d.details["year"]][d.rows[0] - 1]
        assert row["MaTinh"] == d.details["province_code"]
        assert row["criterion_code"] == d.details["criterion_code"]
        assert float(row["appraised_points"]) == d.details["appraised_points"]
        assert d.details["true_points"] == float(row["max_points"])
        # calibrated years stay clean (a score above its maximum stops its year's index)
        assert d.details["year"] not in (2021, 2022, 2023, 2024)


def test_2024_matches_the_published_facts(scores: dict[int, list[dict[str, Any]]],
                                          survey_points: dict[int, dict[str, float]]) -> None:
    total = totals(scores[2024], survey_points[2024])
    rank = ranks(total)
    assert len(total) == 63
    assert sum(v >= 90 for v in total.values()) == 13
    assert sum(80 <= v < 90 for v in total.values()) == 50
    assert mean(total.values()) == pytest.approx(88.37, abs=0.005)
    assert (total["31"], rank["31"]) == (96.17, 1)  # Hải Phòng
    assert (total["67"], rank["67"]) == (86.6, 50)  # Đắk Nông
    assert total["62"] == 88.27  # Kon Tum
    tay_nguyen = sorted((c for c in total if REGION[c] == "TN"), key=lambda c: -total[c])
    assert tay_nguyen[:2] == ["62", "67"]  # Đắk Nông 2nd in Tây Nguyên after Kon Tum
    assert len(set(total.values())) == 63  # no ties to blur the published ranks


def test_earlier_years_match_the_published_facts(
        scores: dict[int, list[dict[str, Any]]], survey_points: dict[int, dict[str, float]]
) -> None:
    total_2023 = totals(scores[2023], survey_points[2023])
    assert mean(total_2023.values()) == pytest.approx(86.98, abs=0.005)
    # Đắk Nông 2024: +1.18 points and up one place
    assert (total_2023["67"], ranks(total_2023)["67"]) == (85.42, 51)
    # Thái Bình 2022: 43rd, up 7 places
    assert ranks(totals(scores[2022], survey_points[2022]))["34"] == 43
    assert ranks(totals(scores[2021], survey_points[2021]))["34"] == 50


def test_survey_points_leave_the_appraised_part_feasible(
        sample: tuple[Path, GroundTruth], scores: dict[int, list[dict[str, Any]]],
        survey_points: dict[int, dict[str, float]]) -> None:
    _, truth = sample
    planted = {(d.details["year"], row) for d in truth.defects
               if d.kind == "par_score_above_max" for row in d.rows}
    # the officials' survey is drawn so that the appraised criteria (67 points) can take the
    # rest of each planned total: appraised cells stay within 0..max
    survey_max = sum(c.max_points for c in par_index.CRITERIA if c.source == par_index.SURVEY)
    for year in YEARS:
        assert all(0 < v <= survey_max for v in survey_points[year].values())
        for i, r in enumerate(scores[year], start=1):
            if r["appraised_points"] is not None and (year, i) not in planted:
                assert 0 <= float(r["appraised_points"]) <= float(r["max_points"])


def test_ranks_move_plausibly_between_years(scores: dict[int, list[dict[str, Any]]],
                                            survey_points: dict[int, dict[str, float]]) -> None:
    before = ranks(totals(scores[2023], survey_points[2023]))
    after = ranks(totals(scores[2024], survey_points[2024]))
    moves = [abs(before[c] - after[c]) for c in before]
    assert 1 <= median(moves) <= 10
    assert max(moves) >= 10  # a few big jumps
    total_2025 = totals(scores[2025], survey_points[2025])
    assert len(total_2025) == 34 and all(70 <= v <= 100 for v in total_2025.values())


@pytest.mark.parametrize(("year", "departments_mean", "districts_mean"),
                         [(2024, 84.8, 91.93), (2023, 78.49, 85.876)])
def test_nam_dinh_internal_index(sample: tuple[Path, GroundTruth], year: int,
                                 departments_mean: float, districts_mean: float) -> None:
    inbox, _ = sample
    method = read_rows(inbox / "par_index/internal_methodology_36.csv")
    rows = read_rows(inbox / f"par_index/internal_36_{year}.xlsx")
    maxima = {(m["block"], m["criterion_code"]): float(m["max_points"]) for m in method}
    for block in ("so_nganh", "huyen"):
        assert sum(v for (b, _), v in maxima.items() if b == block) == pytest.approx(100.0)
    unit_total: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        assert r["MaTinh"] == "36" and r["year"] == year
        assert r["max_points"] == maxima[(r["block"], r["criterion_code"])]
        assert 0 <= r["appraised_points"] <= r["max_points"]
        unit_total[(r["block"], r["unit_code"])] += r["appraised_points"]
    departments = [v for (b, _), v in unit_total.items() if b == "so_nganh"]
    districts = [v for (b, _), v in unit_total.items() if b == "huyen"]
    assert (len(departments), len(districts)) == (18, 10)
    # published 2024 means: departments 84.8 (up 8.04% on 2023: 84.8 / 1.0804 = 78.49),
    # districts 91.93 (up 7.05%: 91.93 / 1.0705 = 85.876)
    assert mean(departments) == pytest.approx(departments_mean, abs=0.0005)
    assert mean(districts) == pytest.approx(districts_mean, abs=0.0005)
