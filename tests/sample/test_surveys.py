"""The survey sample: SIPAS and officials' exports, their dialects and their planted defects."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from foundation.calendar import WorkingCalendar
from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator import surveys
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.truth import Defect, GroundTruth
from sample_generator.writers import UTF8_BOM
from tests.support.readback import read_rows

CONFIG = SampleConfig(seed=7, survey_respondents_per_province=30, officials_per_province=10)
# rounds from 2021 (before the dossier range) so year-on-year change exists across the merger
SIPAS = {**{y: f"surveys/sipas/sipas_{y}.csv" for y in range(2021, 2025)},
         2025: "surveys/sipas/sipas_2025.jsonl"}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
CALENDAR = WorkingCalendar(2021, 2026)


def _generate(inbox: Path, config: SampleConfig = CONFIG) -> GroundTruth:
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    surveys.generate(ctx)
    return ctx.truth


def _rank(values: dict[str, float], code: str) -> int:
    """Competition rank at the published two decimals."""
    published = {k: round(v, 2) for k, v in values.items()}
    return 1 + sum(v > published[code] for v in published.values())


def test_sipas_reproduces_the_published_facts(tmp_path: Path) -> None:
    # Thái Bình 2022: SIPAS 13/63, up 27 places; SIPAS 2023 national mean 82.66% (SPEC 7);
    # computed by the warehouse's rule (weighted top-two-box share, mean of five elements)
    ctx = SampleContext(config=SampleConfig(seed=20251), inbox=tmp_path,
                        truth=GroundTruth(seed=20251))
    results = surveys.generate(ctx)
    assert sorted(results.sipas) == [2021, 2022, 2023, 2024, 2025]
    assert (_rank(results.sipas[2021], "34"), _rank(results.sipas[2022], "34")) == (40, 13)
    assert round(sum(results.sipas[2023].values()) / 63, 2) == 82.66
    assert len(results.sipas[2025]) == 34

@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    inbox = tmp_path_factory.mktemp("surveys")
    return inbox, _generate(inbox)


@pytest.fixture(scope="module")
def sipas(sample: tuple[Path, GroundTruth]) -> dict[int, list[dict[str, Any]]]:
    inbox, _ = sample
    return {year: read_rows(inbox / path) for year, path in SIPAS.items()}


def _questions(inbox: Path, year: int) -> list[dict[str, Any]]:
    return read_rows(inbox / f"surveys/sipas/questionnaire_{year}.csv")


def _answer(row: dict[str, Any], code: str) -> int:
    return int(row[code])  # CSV gives text, JSON Lines gives numbers


def _defects(truth: GroundTruth, kind: str) -> list[Defect]:
    return [d for d in truth.defects if d.kind == kind]


def _parse(value: str, year: int) -> dt.datetime:
    if year <= 2024:
        return dt.datetime.strptime(value, "%d/%m/%Y %H:%M:%S")
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S+07:00")


def _minutes(row: dict[str, Any], year: int) -> float:
    start, end = _parse(row["ThoiGianBatDau"], year), _parse(row["ThoiGianKetThuc"], year)
    return (end - start).total_seconds() / 60


def test_same_seed_gives_identical_bytes(tmp_path: Path,
                                         sample: tuple[Path, GroundTruth]) -> None:
    inbox, truth = sample
    again = _generate(tmp_path / "again")
    assert [f.path for f in again.files] == [f.path for f in truth.files]
    for f in truth.files:
        assert (tmp_path / "again" / f.path).read_bytes() == (inbox / f.path).read_bytes(), f.path
    assert again.defects == truth.defects
    other = _generate(tmp_path / "other", SampleConfig(seed=8, survey_respondents_per_province=30,
                                                       officials_per_province=10))
    assert (tmp_path / "other" / SIPAS[2024]).read_bytes() != (inbox / SIPAS[2024]).read_bytes()
    assert other.defects != truth.defects


def test_every_file_is_in_the_manifest(sample: tuple[Path, GroundTruth]) -> None:
    inbox, truth = sample
    on_disk = {str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in truth.files}
    assert on_disk >= {*SIPAS.values(), "surveys/officials/can_bo_2024.xlsx",
                       "surveys/officials/can_bo_2025.xlsx",
                       "surveys/sipas/questionnaire_2024.csv",
                       "surveys/officials/questionnaire_2025.csv"}
    for f in truth.files:
        assert len(read_rows(inbox / f.path)) == f.rows, f.path


def test_questionnaire_defines_five_elements_on_one_to_five(
        sample: tuple[Path, GroundTruth]) -> None:
    inbox, _ = sample
    for year in SIPAS:
        questions = _questions(inbox, year)
        assert 20 <= len(questions) <= 25
        assert {q["element_code"] for q in questions} == {"1", "2", "3", "4", "5"}
        assert {q["aspect"] for q in questions} == {"perception", "satisfaction", "expectation"}
        assert {(q["scale_min"], q["scale_max"], q["index_rule"]) for q in questions} == {
            ("1", "5", "top2_share")}
        assert all(q["survey_year"] == str(year) for q in questions)
    # questionnaires are versioned: 2025 asks about online services, 2024 did not
    assert {q["question_code"] for q in _questions(inbox, 2025)} - {
        q["question_code"] for q in _questions(inbox, 2024)} == {"C15"}


def test_sipas_2024_is_bom_nfd_dmy_with_districts(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    inbox, truth = sample
    raw = (inbox / SIPAS[2024]).read_bytes()
    assert raw.startswith(UTF8_BOM)
    text = raw[len(UTF8_BOM):].decode("utf-8")
    assert unicodedata.is_normalized("NFD", text)
    assert not unicodedata.is_normalized("NFC", text)  # really decomposed, not just ASCII
    entry = next(f for f in truth.files if f.path == SIPAS[2024])
    assert (entry.encoding, entry.normalization) == ("utf-8-sig", "NFD")
    rows = sipas[2024]
    assert {r["MaTinh"] for r in rows} == {p.code for p in provinces_gso63()}
    assert all(r["MaXa"].startswith(r["MaHuyen"]) and len(r["MaHuyen"]) == 3 for r in rows)
    assert {_parse(r["ThoiGianBatDau"], 2024).year for r in rows} == {2024}


def test_sipas_2025_is_jsonl_with_iso_times_and_gso34(
        sipas: dict[int, list[dict[str, Any]]]) -> None:
    rows = sipas[2025]
    assert {r["MaTinh"] for r in rows} == {p.code for p in provinces_gso34()}
    assert "MaHuyen" not in rows[0]  # no district level after the 2025 merger
    assert all(_parse(r["ThoiGianBatDau"], 2025) >= dt.datetime(2025, 7, 1) for r in rows)


def test_respondents_per_province_near_the_quota(
        sipas: dict[int, list[dict[str, Any]]]) -> None:
    for rows in sipas.values():
        counts = Counter(r["MaTinh"] for r in rows)
        assert all(abs(n - 30) <= 2 for n in counts.values()), counts


def test_interviews_on_working_days_in_office_hours(
        sipas: dict[int, list[dict[str, Any]]]) -> None:
    for year, rows in sipas.items():
        for r in rows:
            start, end = _parse(r["ThoiGianBatDau"], year), _parse(r["ThoiGianKetThuc"], year)
            assert CALENDAR.is_working_day(start.date())
            assert dt.time(7, 30) <= start.time() and end.time() <= dt.time(17, 30)
            assert start < end


def test_answers_are_plausible_and_provinces_differ(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    inbox, _ = sample
    codes = [q["question_code"] for q in _questions(inbox, 2024)]
    answers = [_answer(r, c) for r in sipas[2024] for c in codes]
    in_scale = [a for a in answers if 1 <= a <= 5]
    assert sum(a >= 3 for a in in_scale) / len(in_scale) > 0.9
    top2: dict[str, list[int]] = {}
    for r in sipas[2024]:
        top2.setdefault(r["MaTinh"], []).extend(_answer(r, c) >= 4 for c in codes)
    shares = sorted(sum(v) / len(v) for v in top2.values())
    assert 0.7 < shares[len(shares) // 2] < 0.92
    assert shares[-1] - shares[0] > 0.1  # provinces rank differently


def test_personal_phone_numbers_are_text(sipas: dict[int, list[dict[str, Any]]]) -> None:
    phones = [r["SoDienThoai"] for rows in sipas.values() for r in rows if r["SoDienThoai"]]
    assert len(phones) > 0.9 * sum(len(rows) for rows in sipas.values())
    assert all(len(p) == 10 and p.isdigit() and p[:2] in {"03", "05", "07", "08", "09"}
               for p in phones)


def test_out_of_scale_answers_exactly_at_the_manifest_rows(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    inbox, truth = sample
    defects = {d.file: d for d in _defects(truth, "survey_answer_out_of_scale")}
    assert set(defects) == set(SIPAS.values())
    for year, path in SIPAS.items():
        questions = _questions(inbox, year)
        outside = {}
        for i, r in enumerate(sipas[year], start=1):
            for q in questions:
                value = _answer(r, q["question_code"])
                if not int(q["scale_min"]) <= value <= int(q["scale_max"]):
                    outside[i] = (q["question_code"], value)
        d = defects[path]
        assert d.layer == "consistency"
        assert sorted(outside) == d.rows
        assert [outside[i] for i in d.rows] == list(
            zip(d.details["question_codes"], d.details["values"], strict=True))
        assert len(d.rows) == round(CONFIG.defects.survey_out_of_scale_share * len(sipas[year]))


def _noisy(truth: GroundTruth, kind: str) -> Defect:
    (defect,) = _defects(truth, kind)
    assert defect.layer == "anomaly" and defect.file == SIPAS[2025]
    assert defect.details["year"] == 2025 and defect.details["code_system"] == "gso34"
    assert defect.details["survey"] == "sipas"
    return defect


def test_one_interviewer_dominates_only_the_planted_province(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    _, truth = sample
    defect = _noisy(truth, "survey_dominant_interviewer")
    for year, rows in sipas.items():
        by_province: dict[str, Counter[str | None]] = {}
        for r in rows:
            by_province.setdefault(r["MaTinh"], Counter())[r["MaDieuTraVien"]] += 1
        for code, counts in by_province.items():
            top, n = max(((k, v) for k, v in counts.items() if k), key=lambda kv: kv[1])
            share = n / counts.total()
            if year == 2025 and code == defect.details["province_code"]:
                assert top == defect.details["interviewer_id"]
                assert share >= 0.6
                assert share == pytest.approx(defect.details["interviewer_share"], abs=1e-4)
            else:
                assert share < 0.4, (year, code)
    star = [i for i, r in enumerate(sipas[2025], start=1)
            if r["MaDieuTraVien"] == defect.details["interviewer_id"]]
    assert star == defect.rows


def test_straight_lining_and_duplicates_only_in_the_planted_province(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    inbox, truth = sample
    defect = _noisy(truth, "survey_straight_lining")
    codes = [q["question_code"] for q in _questions(inbox, 2025)]
    rows = sipas[2025]
    vectors = [tuple(_answer(r, c) for c in codes) for r in rows]
    flat: dict[str, list[bool]] = {}
    for r, v in zip(rows, vectors, strict=True):
        flat.setdefault(r["MaTinh"], []).append(len(set(v)) == 1)
    for code, marks in flat.items():
        share = sum(marks) / len(marks)
        if code == defect.details["province_code"]:
            assert share >= 0.3
            assert share == pytest.approx(defect.details["straight_lining_share"], abs=1e-4)
        else:
            assert share < 0.15, code
    for copy, source in zip(defect.details["duplicate_rows"], defect.details["duplicate_of_rows"],
                            strict=True):
        assert vectors[copy - 1] == vectors[source - 1]
        assert len(set(vectors[copy - 1])) > 1  # a copied real answer vector, not a flat one
    flat_rows = {i for i, v in enumerate(vectors, start=1)
                 if len(set(v)) == 1 and rows[i - 1]["MaTinh"] == defect.details["province_code"]}
    planted = set(defect.rows) - set(defect.details["duplicate_rows"])
    assert planted <= flat_rows
    assert len(flat_rows - planted) <= 1  # at most a rare natural straight-liner besides


def test_short_interviews_only_in_the_planted_province(
        sample: tuple[Path, GroundTruth], sipas: dict[int, list[dict[str, Any]]]) -> None:
    _, truth = sample
    defect = _noisy(truth, "survey_short_interviews")
    for year, rows in sipas.items():
        short = [i for i, r in enumerate(rows, start=1) if _minutes(r, year) < 5]
        if year != defect.details["year"]:
            assert short == []
            continue
        assert short == defect.rows
        assert all(1 <= _minutes(rows[i - 1], year) <= 4 for i in short)
        province = [r for r in rows if r["MaTinh"] == defect.details["province_code"]]
        share = len(short) / len(province)
        assert share >= 0.35 and share == pytest.approx(
            defect.details["short_interview_share"], abs=1e-4)
        assert all(rows[i - 1]["MaTinh"] == defect.details["province_code"] for i in short)
    assert all(_minutes(r, y) >= 8 for y, rows in sipas.items() for i, r in enumerate(rows, 1)
               if not (y == 2025 and i in set(defect.rows)))


def test_officials_survey_uses_excel_serial_times(sample: tuple[Path, GroundTruth]) -> None:
    inbox, truth = sample
    questionnaire = read_rows(inbox / "surveys/officials/questionnaire_2024.csv")
    assert {q["par_field_code"] for q in questionnaire} == {str(f) for f in range(1, 9)}
    codes = [q["question_code"] for q in questionnaire]
    rows = read_rows(inbox / "surveys/officials/can_bo_2024.xlsx")
    assert Counter(r["MaTinh"] for r in rows) == {p.code: 10 for p in provinces_gso63()}
    entry = next(f for f in truth.files if f.path == "surveys/officials/can_bo_2024.xlsx")
    assert entry.timestamp_format == "excel_serial"
    for r in rows:
        assert isinstance(r["ThoiGianBatDau"], float)
        start = EXCEL_EPOCH + dt.timedelta(days=r["ThoiGianBatDau"])
        end = EXCEL_EPOCH + dt.timedelta(days=r["ThoiGianKetThuc"])
        assert start.year == 2024 and CALENDAR.is_working_day(start.date())
        assert dt.time(7, 30) <= start.time() and end.time() <= dt.time(17, 31)
        assert dt.timedelta(minutes=5) < end - start < dt.timedelta(hours=1)
        assert all(1 <= r[c] <= 5 for c in codes)
    assert {r["ChucVu"] for r in rows} >= {"Lãnh đạo UBND cấp huyện", "Đại biểu HĐND tỉnh"}
