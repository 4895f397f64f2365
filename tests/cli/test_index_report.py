"""The run summary's scorecard lines, composed from a hand-made scorecard's numbers."""

from __future__ import annotations

import pytest

from chiso.index_report import ScorecardRow, headline, score_line, vi_number


def row(short: str, rank: int | None, of: int | None, change: int | None = None, *,
        status: str = "scored", new: bool = False, comparable: int | None = None,
        score: float | None = None, unit: str = "%", reason: str | None = None,
        note: str | None = None) -> ScorecardRow:
    return ScorecardRow(short, status, score, unit, rank, of, change, new, comparable, reason,
                        note, "")


def test_the_headline_reads_as_the_seed_quotes_it() -> None:
    rows = [row("SIPAS", 13, 63, 27), row("PAR INDEX", 43, 63, 7), row("PCI", 28, 63, 19)]
    assert headline("Thái Bình", 2022, rows) == (
        "Năm 2022, Thái Bình xếp thứ 13/63 về SIPAS, tăng 27 bậc; PAR INDEX thứ 43/63, "
        "tăng 7 bậc; PCI thứ 28/63, tăng 19 bậc")


def test_the_headline_says_down_unchanged_new_first_round_and_not_scored() -> None:
    noisy = "không xếp hạng: dữ liệu bị nhiễu — câu trả lời gần trùng 41% so với 0% cả nước"
    rows = [row("SIPAS", 5, 34, new=True, comparable=-2), row("PAR INDEX", 9, 34, 0),
            row("PCI", 30, 63, -4), row("PAPI", None, None, status="not_scored", reason=noisy),
            row("Chỉ số 766", 12, 34, new=True), row("Chỉ số 766", 3, 63)]
    assert headline("Phú Thọ", 2025, rows) == (
        "Năm 2025, Phú Thọ xếp thứ 5/34 về SIPAS, giảm 2 bậc so với số liệu gộp; "
        "PAR INDEX thứ 9/34, giữ nguyên thứ hạng; PCI thứ 30/63, giảm 4 bậc; "
        "PAPI không xếp hạng (dữ liệu bị nhiễu); Chỉ số 766 thứ 12/34, đơn vị mới; "
        "Chỉ số 766 thứ 3/63")


def test_the_papi_line_names_the_provinces_not_scored() -> None:
    papi = row("PAPI", 20, 61, 3, score=44.35, unit="điểm",
               note="hai tỉnh Vĩnh Phúc, Tiền Giang không đưa số liệu vào báo cáo do dữ liệu "
                    "bị nhiễu")
    assert score_line(2024, papi) == (
        "PAPI 2024 đạt 44,35 điểm, xếp thứ 20/61 (hai tỉnh Vĩnh Phúc, Tiền Giang không đưa số "
        "liệu vào báo cáo do dữ liệu bị nhiễu)")
    assert score_line(2023, row("SIPAS", 1, 63, score=82.5)) == "SIPAS 2023 đạt 82,5%, xếp thứ 1/63"


@pytest.mark.parametrize(("value", "text"), [(44.35, "44,35"), (86.6, "86,6"), (90.0, "90"),
                                             (100.0, "100"), (0.5, "0,5")])
def test_numbers_the_vietnamese_way(value: float, text: str) -> None:
    assert vi_number(value) == text
