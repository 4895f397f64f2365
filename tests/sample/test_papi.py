"""The PAPI and PCI samples: the survey's design and dialects, the contractor's codebook, the
noise of the rounds that left provinces unscored, and VCCI's table as a steward downloads it.
(The facts they must reproduce are checked through the warehouse: tests/dbt, tests/e2e.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator import papi, pci
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.truth import GroundTruth
from tests.support.readback import read_rows

CONFIG = SampleConfig(seed=7, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
                      papi_respondents_per_province=48)
WAVES = {2023: "surveys/papi/papi_2023.csv", 2024: "surveys/papi/papi_2024.xlsx",
         2025: "surveys/papi/papi_2025.csv"}


def _generate(inbox: Path, config: SampleConfig = CONFIG
              ) -> tuple[GroundTruth, dict[int, dict[str, float]]]:
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    totals = papi.generate(ctx)
    pci.generate(ctx)
    return ctx.truth, totals


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[Path, GroundTruth, dict[int, dict[str, float]]]:
    inbox = tmp_path_factory.mktemp("papi")
    truth, totals = _generate(inbox)
    return inbox, truth, totals


@pytest.fixture(scope="module")
def waves(sample) -> dict[int, list[dict[str, Any]]]:
    inbox, _, _ = sample
    return {year: read_rows(inbox / path) for year, path in WAVES.items()}


def test_the_design_is_papis_villages_communes_and_districts(waves) -> None:
    rows = waves[2024]
    assert len(rows) == 63 * 48
    by_province = Counter(str(r["prov"]) for r in rows)
    assert set(by_province.values()) == {48}
    # 48 a province: three villages of 16, two villages a commune, two communes a district
    villages = Counter((str(r["prov"]), str(r["vill"])) for r in rows)
    assert set(villages.values()) == {16}
    communes = {(str(r["prov"]), str(r["comm"])) for r in rows}
    assert len(communes) == 63 * 2
    # every village lies in its commune, every commune in its district (codes nest)
    assert all(str(r["vill"]).startswith(str(r["comm"])) for r in rows)
    assert all(str(r["comm"]).startswith(str(r["dist"])) for r in rows)
    # after the reorganisation: the 34 provinces, and no district
    assert {str(r["prov"]) for r in waves[2025]} == {p.code for p in provinces_gso34()}
    assert "dist" not in waves[2025][0]


def test_dialects_and_the_codebook_beside_each_wave(sample, waves) -> None:
    inbox, truth, _ = sample
    formats = {f.path: (f.format, f.timestamp_format) for f in truth.files}
    assert formats[WAVES[2023]] == ("csv", "%d/%m/%Y %H:%M:%S")
    assert formats[WAVES[2024]] == ("xlsx", "excel_serial")
    assert formats[WAVES[2025]] == ("csv", "%Y-%m-%dT%H:%M:%S+07:00")
    codebook = {r["variable"]: r for r in read_rows(inbox / "surveys/papi/papi_2024_codebook.xlsx")}
    indicators = papi.methodology(2024).indicators
    assert len(indicators) == 39
    for ind in indicators:
        entry = codebook[ind.code]
        assert (int(entry["valid_min"]), int(entry["valid_max"])) == (ind.scale_min,
                                                                      ind.scale_max)
        assert entry["missing_values"] == "98;99"
    # every answer column is an indicator of the methodology; the codebook names each
    answer_columns = [c for c in waves[2024][0] if c.startswith("d") and c[1:].isdigit()]
    assert answer_columns == [i.code for i in indicators]


def test_answers_are_on_their_scales_with_skips_and_missing_codes(sample, waves) -> None:
    _, truth, _ = sample
    indicators = {i.code: i for i in papi.methodology(2023).indicators}
    planted = {(d.file, r) for d in truth.defects if d.kind == "survey_answer_out_of_scale"
               for r in d.rows}
    blanks = Counter()
    for n, row in enumerate(waves[2023], start=1):
        for code, ind in indicators.items():
            value = row[code]
            if value in (None, ""):
                blanks[code] += 1
                continue
            value = int(value)
            if value in (papi.DONT_KNOW, papi.REFUSED) or (WAVES[2023], n) in planted:
                continue
            assert ind.scale_min <= value <= ind.scale_max, (n, code, value)
    n = len(waves[2023])
    # asked only of users of the service: construction permits ~10%, land certificates ~12%
    assert 0.8 < blanks["d502"] / n < 0.97 and 0.8 < blanks["d503"] / n < 0.97
    assert blanks["d101"] == 0  # the core questions are asked of everyone


def test_noise_is_planted_in_the_rounds_and_provinces_the_seeds_name(sample) -> None:
    _, truth, _ = sample
    noisy = {(d.details["year"], d.details["province_code"], d.kind) for d in truth.defects
             if d.layer == "anomaly"}
    assert noisy == {(2023, "22", "survey_dominant_interviewer"),  # Quảng Ninh
                     (2023, "74", "survey_short_interviews"),  # Bình Dương
                     (2024, "26", "survey_straight_lining"),  # Vĩnh Phúc
                     (2024, "82", "survey_dominant_interviewer")}  # Tiền Giang
    assert all(d.details["survey"] == "papi" for d in truth.defects)


def test_straight_lining_rows_answer_one_code_to_everything(sample, waves) -> None:
    _, truth, _ = sample
    (lining,) = [d for d in truth.defects if d.kind == "survey_straight_lining"]
    rows = waves[2024]
    codes = [i.code for i in papi.methodology(2024).indicators]
    for r in lining.rows:
        answers = {int(rows[r - 1][c]) for c in codes if rows[r - 1][c] not in (None, "")}
        assert answers <= {1, papi.DONT_KNOW, papi.REFUSED}
        assert str(rows[r - 1]["prov"]) == "26"


def test_the_generator_computes_what_the_methodology_says() -> None:
    # one sub-dimension of two indicators (weights 1 and 3) and one of one, on 1–10:
    # (1 + 9 × (1·0.25 + 3·0.75) / 4) / 2 + (1 + 9 × 0.5) / 2 = 3.3125 + 2.75
    m = papi.Methodology("T", (
        papi.Indicator("a", "a", "1", "1.1", 0, 1, False, 1.0),
        papi.Indicator("b", "b", "1", "1.1", 1, 5, True, 3.0),
        papi.Indicator("c", "c", "1", "1.2", 0, 1, False, 1.0)), 1.0, 10.0)
    # b reversed on 1–5: answer 2 scores (5 − 2) / 4 = 0.75
    answers = np.array([[0, 2, 1], [1, 2, 0]])
    valid = np.ones_like(answers, dtype=bool)
    means = papi.indicator_means(answers, valid, np.array([0, 0]), 1, np.array([3.0, 1.0]), m)
    assert means.tolist() == [[0.25, 0.75, 0.75]]
    dims, total = papi.scores(np.array([[0.25, 0.75, 0.5]]), m)
    assert dims.tolist() == [[6.0625]] and total.tolist() == [6.0625]


def test_pci_tables_are_vccis_with_thai_binh_28th_in_2022_up_19(sample) -> None:
    inbox, truth, _ = sample
    assert [f.path for f in truth.files if f.family == "pci"] == [
        f"pci/PCI_{y}_bang_xep_hang.xlsx" for y in (2021, 2022, 2023, 2024)]
    tables = {y: read_rows(inbox / f"pci/PCI_{y}_bang_xep_hang.xlsx")
              for y in (2021, 2022)}
    rank = {y: {r["Tỉnh, thành phố"]: int(r["Xếp hạng"]) for r in rows}
            for y, rows in tables.items()}
    assert (rank[2021]["Thái Bình"], rank[2022]["Thái Bình"]) == (47, 28)
    names = set(rank[2022])
    assert len(names) == 63 and {"TP. Hồ Chí Minh", "Thừa Thiên Huế", "Hà Nội"} <= names
    assert not names & {p.code for p in provinces_gso63()}  # names, never codes
    # ranks are those the totals give, equal totals sharing the best
    totals = {r["Tỉnh, thành phố"]: float(r["Điểm PCI"]) for r in tables[2022]}
    assert all(rank[2022][k] == 1 + sum(t > v for t in totals.values())
               for k, v in totals.items())


def test_same_seed_same_bytes(tmp_path: Path, sample) -> None:
    inbox, truth, _ = sample
    again, _ = _generate(tmp_path)
    assert again.defects == truth.defects
    for f in truth.files:
        assert (tmp_path / f.path).read_bytes() == (inbox / f.path).read_bytes(), f.path
