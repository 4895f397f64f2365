"""Typing rules: every date dialect to Vietnam's wall clock, codes as text, NFC."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pyarrow as pa
import pytest

from ingestion import dates
from ingestion.normalise import as_text, coerce, time_number

WALL = dt.datetime(2025, 9, 9, 11, 21, 31)


@pytest.mark.parametrize("text", [
    "09/09/2025 11:21:31",  # one-stop systems (dd/mm/yyyy HH:MM:SS)
    "9/9/2025 11:21:31",
    "09-09-2025 11:21:31",  # day first with dashes
    "09/09/2025 11:21:31 SA",  # Vietnamese locales' 12-hour clock: SA before noon ...
    "9/9/2025 11:21:31 sa",
    "20250909112131",  # national portal sync (yyyyMMddHHmmss)
    "2025-09-09T11:21:31+07:00",  # ISO 8601 with Vietnam's offset
    "2025-09-09T11:21:31+0700",
    "2025-09-09T04:21:31Z",  # UTC: seven hours later on the wall
    "2025-09-09T04:21:31+00:00",
    "2025-09-08T23:21:31-05:00",
    "2025-09-09T11:21:31",  # ISO without a zone is already local
    "2025-09-09 11:21:31",
    "  2025-09-09T11:21:31+07:00 ",
])
def test_every_dialect_gives_the_local_wall_clock(text: str) -> None:
    parsed = dates.parse(pa.array([text]))
    assert parsed.timestamps().to_pylist() == [WALL]
    assert not parsed.bad.any()


@pytest.mark.parametrize(("text", "wall"), [
    ("09/09/2025 2:21:31 CH", dt.datetime(2025, 9, 9, 14, 21, 31)),  # ... CH after noon
    ("09/09/2025 12:05:00 SA", dt.datetime(2025, 9, 9, 0, 5)),  # five past midnight
    ("09/09/2025 12:05 CH", dt.datetime(2025, 9, 9, 12, 5)),  # five past noon
    ("9-9-2025 11:59:59CH", dt.datetime(2025, 9, 9, 23, 59, 59)),
])
def test_the_vietnamese_12_hour_clock(text: str, wall: dt.datetime) -> None:
    assert dates.parse(pa.array([text])).timestamps().to_pylist() == [wall]


@pytest.mark.parametrize("text", [
    "09/09/2025 0:05:00 SA", "09/09/2025 13:05:00 CH",  # no such hours on a 12-hour clock
    "09/09/2025 SA",  # a day period without a time
    # the locales writing AM/PM write the month first: 3 December, not 12 March
    "12/03/2025 8:15:00 AM", "12/03/2025 8:15:00 PM",
])
def test_12_hour_times_that_cannot_be_read_safely_are_bad(text: str) -> None:
    parsed = dates.parse(pa.array([text]))
    assert parsed.bad.tolist() == [True]


def test_excel_serial_numbers_as_numbers_and_as_text() -> None:
    serial = (WALL - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    for column in (pa.array([serial]), pa.array([round(serial, 6)]),
                   pa.array([f"{serial:.6f}"])):
        assert dates.parse(column).timestamps().to_pylist() == [WALL]


def test_compact_date_sent_as_a_json_number() -> None:
    assert dates.parse(pa.array([20250909112131])).timestamps().to_pylist() == [WALL]


def test_typed_timestamps_keep_local_time_and_convert_instants() -> None:
    naive = pa.array([WALL], pa.timestamp("s"))
    instant = pa.array([dt.datetime(2025, 9, 9, 4, 21, 31)], pa.timestamp("us", tz="UTC"))
    assert dates.parse(naive).timestamps().to_pylist() == [WALL]
    assert dates.parse(instant).timestamps().to_pylist() == [WALL]


@pytest.mark.parametrize("text", [
    "31/02/2024 08:15:00",  # Arrow's strptime would roll this over to 2 March
    "15/08/2024 25:61:00", "2024-13-01", "2024-06-31T08:00", "20241341081500", "2024083",
    "không rõ", "null-date", "2023-02-29", "2025-09-09T11:21:31+25:00",
])
def test_impossible_dates_are_bad_not_null(text: str) -> None:
    parsed = dates.parse(pa.array([text]))
    assert parsed.bad.tolist() == [True]
    assert parsed.timestamps().to_pylist() == [None]


def test_missing_is_not_bad() -> None:
    parsed = dates.parse(pa.array([None, "", "  "], pa.string()))
    assert parsed.bad.tolist() == [False, False, False]


def test_dates_take_the_calendar_day() -> None:
    column = pa.array(["2008-08-01", "30/06/2025", "20250701"])
    values = coerce(column, "date").values.to_pylist()
    assert values == [dt.date(2008, 8, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1)]


def test_codes_are_text_as_the_file_says() -> None:
    assert as_text(pa.array([1, 15, None])).to_pylist() == ["1", "15", None]
    assert as_text(pa.array([1.0, 2.5])).to_pylist() == ["1", "2.5"]
    # province "1" stays "1": it must not silently become a valid "01"
    assert as_text(pa.array(["01", "1", " 01 "])).to_pylist() == ["01", "1", "01"]


def test_text_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Tiếp nhận hồ sơ tại Bộ phận Một cửa")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert as_text(pa.array([nfd])).to_pylist() == [unicodedata.normalize("NFC", nfd)]


def test_numbers_flags_and_their_failures() -> None:
    ints = coerce(pa.array(["3", "3.0", "x", None, "2.5"]), "int")
    assert ints.values.to_pylist() == [3, 3, None, None, None]
    assert ints.bad.tolist() == [False, False, True, False, True]
    flags = coerce(pa.array(["0", "1", "300"]), "flag")
    assert flags.bad.tolist() == [False, False, True]
    floats = coerce(pa.array(["86,6", "88.37", "abc"]), "float")
    assert floats.values.to_pylist() == [86.6, 88.37, None]
    assert floats.bad.tolist() == [False, False, True]


@pytest.mark.parametrize(("column", "numbers"), [
    (["12.345"], [12_345]),  # a Vietnamese spreadsheet's thousands, saved as CSV
    (["12.345", "12.000", "980"], [12_345, 12_000, 980]),  # the column shows its separator
    (["1.234.567"], [1_234_567]), (["-1.234"], [-1_234]),
    (["1,234", "1,000"], [1_234, 1_000]),  # English thousands
    (["1 234"], [1_234]), (["1\u00a0234"], [1_234]),  # a space, a no-break space
    (["12.0"], [12]), (["1.000", "2.00"], [1, 2]),  # a float's whole numbers: a decimal point
])
def test_integers_grouped_by_thousands(column: list[str], numbers: list[int]) -> None:
    ints = coerce(pa.array(column), "int")
    assert ints.values.to_pylist() == numbers
    assert not ints.bad.any()


@pytest.mark.parametrize("column", [
    ["1.23"], ["1.2345"], ["12,34"], ["1.234,5"], ["1 23"], ["12.345.6"],
    ["12.345", "2.5"],  # the dot is a decimal point in this column: 12.345 is no integer
    ["12.000"], ["1,000"],  # twelve thousand or twelve, one thousand or one: not guessed
])
def test_integers_that_cannot_be_read_safely_stay_bad(column: list[str]) -> None:
    assert coerce(pa.array(column), "int").bad.tolist()[0]


@pytest.mark.parametrize(("text", "number"), [
    ("1.234,5", 1_234.5),  # Vietnamese: dots group, the comma is the decimal point
    ("1,234.5", 1_234.5),  # English
    ("86,6", 86.6), ("12.345", 12.345),  # a lone dot in a decimal column is the point
])
def test_decimals_grouped_by_thousands(text: str, number: float) -> None:
    floats = coerce(pa.array([text]), "float")
    assert (floats.values.to_pylist(), floats.bad.tolist()) == ([number], [False])


def test_flags_written_as_words() -> None:
    # Excel's boolean cells saved as CSV, JSON's words, a form filled in by hand (NFD too)
    words = ["TRUE", "FALSE", "true", "Yes", "no", "Có", "KHÔNG",
             unicodedata.normalize("NFD", "không"), "1", "0"]
    flags = coerce(pa.array(words), "flag")
    assert flags.values.to_pylist() == [1, 0, 1, 1, 0, 1, 0, 0, 1, 0]
    assert not flags.bad.any()


@pytest.mark.parametrize("word", ["x", "truee", "có lẽ", "-"])
def test_flags_that_are_no_yes_or_no_stay_bad(word: str) -> None:
    assert coerce(pa.array([word]), "flag").bad.tolist() == [True]


def test_a_time_as_the_number_yyyymmddhhmmss() -> None:
    times = pa.array([dt.datetime(2025, 3, 5, 10, 0), dt.datetime(1999, 12, 31, 23, 59, 59),
                      None], pa.timestamp("us"))
    assert time_number(times).to_pylist() == [20250305100000, 19991231235959, None]
