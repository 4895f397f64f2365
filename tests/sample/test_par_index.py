"""The PAR INDEX sample: methodology, calibrated provincial scores, Nam Định's internal index."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import mean, median
from typing import Any

import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator import par_index
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.truth import GroundTruth
from tests.support.readback import read_rows

CONFIG = SampleConfig(seed=7, survey_respondents_per_province=30, officials_per_province=10)
YEARS = (2022, 2023, 2024, 2025)
REGION = {p.code: p.region_code for p in provinces_gso63()}


def _generate(inbox: Path, config: SampleConfig = CONFIG) -> GroundTruth:
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    par_index.generate(ctx)
    return ctx.truth


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    inbox = tmp_path_factory.mktemp("par")
    return inbox, _generate(inbox)


@pytest.fixture(scope="module")
def scores(sample: tuple[Path, GroundTruth]) -> dict[int, list[dict[str, Any]]]:
    inbox, _ = sample
    return {y: read_rows(inbox / f"par_index/scores_{y}.csv") for y in YEARS}


@pytest.fixture(scope="module")
def methodology(sample: tuple[Path, GroundTruth]) -> list[dict[str, Any]]:
    inbox, _ = sample
    return read_rows(inbox / "par_index/methodology_876-QD-BNV.csv")


def totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Total per province with points capped at the maximum (the planted above-max cells had
    full marks, so capping restores the true totals)."""
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        out[r["MaTinh"]] += min(float(r["appraised_points"]), float(r["max_points"]))
    return {k: round(v, 2) for k, v in out.items()}


def ranks(total: dict[str, float]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4)."""
    return {k: 1 + sum(other > v for other in total.values()) for k, v in total.items()}


def test_same_seed_gives_identical_bytes(tmp_path: Path,
                                         sample: tuple[Path, GroundTruth]) -> None:
    inbox, truth = sample
    again = _generate(tmp_path)
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
            # survey criteria carry survey points and are not self-assessed
            assert (r["self_assessed_points"] is None) == survey
            assert (r["evidence_ref"] is None) == survey
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
        if float(r["appraised_points"]) > float(r["max_points"])
    }
    assert found == {(d.file, row) for d in planted for row in d.rows}
    for d in planted:
        assert d.layer == "consistency" and len(d.rows) == 1
        row = scores[d.details["year"]][d.rows[0] - 1]
        assert row["MaTinh"] == d.details["province_code"]
        assert row["criterion_code"] == d.details["criterion_code"]
        assert float(row["appraised_points"]) == d.details["appraised_points"]
        assert d.details["true_points"] == float(row["max_points"])
        assert d.details["year"] not in (2023, 2024)  # calibrated years stay clean


def test_2024_matches_the_published_facts(scores: dict[int, list[dict[str, Any]]]) -> None:
    total = totals(scores[2024])
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
        scores: dict[int, list[dict[str, Any]]]) -> None:
    total_2023 = totals(scores[2023])
    assert mean(total_2023.values()) == pytest.approx(86.98, abs=0.005)
    # Đắk Nông 2024: +1.18 points and up one place
    assert (total_2023["67"], ranks(total_2023)["67"]) == (85.42, 51)
    assert ranks(totals(scores[2022]))["34"] == 43  # Thái Bình


def test_ranks_move_plausibly_between_years(scores: dict[int, list[dict[str, Any]]]) -> None:
    before, after = ranks(totals(scores[2023])), ranks(totals(scores[2024]))
    moves = [abs(before[c] - after[c]) for c in before]
    assert 1 <= median(moves) <= 10
    assert max(moves) >= 10  # a few big jumps
    total_2025 = totals(scores[2025])
    assert len(total_2025) == 34 and all(70 <= v <= 100 for v in total_2025.values())


def test_nam_dinh_internal_index(sample: tuple[Path, GroundTruth]) -> None:
    inbox, _ = sample
    method = read_rows(inbox / "par_index/internal_methodology_36.csv")
    rows = read_rows(inbox / "par_index/internal_36_2024.xlsx")
    maxima = {(m["block"], m["criterion_code"]): float(m["max_points"]) for m in method}
    for block in ("so_nganh", "huyen"):
        assert sum(v for (b, _), v in maxima.items() if b == block) == pytest.approx(100.0)
    unit_total: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        assert r["MaTinh"] == "36" and r["year"] == 2024
        assert r["max_points"] == maxima[(r["block"], r["criterion_code"])]
        assert 0 <= r["appraised_points"] <= r["max_points"]
        unit_total[(r["block"], r["unit_code"])] += r["appraised_points"]
    departments = [v for (b, _), v in unit_total.items() if b == "so_nganh"]
    districts = [v for (b, _), v in unit_total.items() if b == "huyen"]
    assert (len(departments), len(districts)) == (18, 10)
    # published 2024 means: departments 84.8, districts 91.93
    assert mean(departments) == pytest.approx(84.8, abs=0.005)
    assert mean(districts) == pytest.approx(91.93, abs=0.005)
