"""Timestamps from every export dialect to naive wall-clock time in Asia/Ho_Chi_Minh.

Accepted (SPEC 2): ``dd/mm/yyyy HH:MM:SS`` (also without seconds or time, with dashes for
slashes, or on the 12-hour clock of Vietnamese locales: ``8:15:00 SA``, ``2:15:00 CH``),
``yyyyMMddHHmmss`` (or ``yyyyMMdd``), ISO 8601 with or without an offset (``Z``, ``+07:00``,
``+0700``), Excel serial day numbers, and typed Arrow timestamps/dates (Parquet, JSON).

``AM``/``PM`` after a day-first date are not accepted: the locales that write them (en-US,
.NET's and Excel's default) write the month first, so ``12/03/2025 8:15 AM`` is 3 December
there; read as 12 March it would be wrong without a trace. Such values go to quarantine.

Components are extracted with one regular expression per dialect and checked by hand:
Arrow's strptime accepts 31/02 and rolls it over to 2 March, which would hide a broken date.
Vietnam has kept UTC+07:00 without daylight saving since 1975, so converting an offset to
local time is a fixed shift (no time-zone database needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion import arrow_bytes

VN_OFFSET_SECONDS = 7 * 3600
MICROS = 1_000_000
DAY_SECONDS = 86_400
# 1899-12-30 is day 0 of Excel's (1900, Lotus-compatible) serial numbers
EXCEL_EPOCH_DAYS = -25_569
# plausible years only: "0024-05-01" or "9999-..." is a typo, not a date to compute with
MIN_YEAR, MAX_YEAR = 1900, 2199
# serial numbers for 1927-05-18 .. 2199-12-31: a small number in a time column (a count, a
# year) is far likelier a mistake than a date from the 1900s
MIN_SERIAL, MAX_SERIAL = 10_000.0, 109_939.0

EXPECTED = ("dd/mm/yyyy HH:MM:SS (or h:mm:ss SA/CH; AM/PM is read month first elsewhere), "
            "yyyyMMddHHmmss, ISO 8601 or an Excel serial number")
# the day periods of the Vietnamese locale (CLDR `vi`, used by .NET, Java, ICU and Excel):
# "SA" (sáng, before noon) and "CH" (chiều, after noon), as `h:mm:ss tt` writes them
VI_BEFORE_NOON, VI_AFTER_NOON = "SA", "CH"

_TIME = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
_ZONE = r"\s*(?P<z>Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
_DAY_PERIOD = rf"(?:\s*(?P<p>(?i:{VI_BEFORE_NOON}|{VI_AFTER_NOON})))?"


@dataclass(frozen=True)
class Dialect:
    name: str
    pattern: str


DIALECTS: tuple[Dialect, ...] = (
    Dialect("dmy", r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<Y>\d{4})" + _TIME + _DAY_PERIOD + "$"),
    Dialect("dmy_dashes", r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<Y>\d{4})" + _TIME + _DAY_PERIOD
            + "$"),
    Dialect("compact", r"^(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
                       r"(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}))?$"),
    Dialect("iso", r"^(?P<Y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + _ZONE + "$"),
    Dialect("serial", r"^(?P<serial>\d{5,6}(?:\.\d+)?)$"),
)
_ZONE_PARTS = r"^(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})?$"


@dataclass(frozen=True)
class Parsed:
    """Microseconds since 1970-01-01 of the local wall-clock time, and which values failed."""

    micros: np.ndarray  # int64, meaningful where ok
    ok: np.ndarray  # bool: a value that parsed
    bad: np.ndarray  # bool: a value was present but is not a date

    def timestamps(self) -> pa.Array:
        return pa.array(self.micros, type=pa.timestamp("us"), mask=~self.ok)

    def dates(self) -> pa.Array:
        days = np.floor_divide(self.micros, DAY_SECONDS * MICROS).astype(np.int32)
        return pa.array(days, type=pa.date32(), mask=~self.ok)


def parse(values: pa.Array | pa.ChunkedArray) -> Parsed:
    """Parse a column of any Arrow type; nulls and empty strings are missing, not bad."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    if isinstance(values, pa.DictionaryArray):
        values = values.dictionary_decode()
    kind = values.type
    if pa.types.is_timestamp(kind):
        return _from_timestamps(values)
    if pa.types.is_date(kind):
        return _from_timestamps(values.cast(pa.timestamp("us")))
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _from_numbers(values.cast(pa.float64()))
    if pa.types.is_null(kind):
        n = len(values)
        return Parsed(np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool))
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        values = values.cast(pa.string())
    return _from_strings(values)


def _from_timestamps(values: pa.Array) -> Parsed:
    unit_micros = {"s": MICROS, "ms": 1_000, "us": 1, "ns": 1}
    unit = values.type.unit
    raw = values.cast(pa.int64()).to_numpy(zero_copy_only=False)
    ok = values.is_valid().to_numpy(zero_copy_only=False)
    raw = np.where(ok, raw, 0)
    micros = raw // 1_000 if unit == "ns" else raw * unit_micros[unit]
    if values.type.tz is not None:  # an instant (UTC inside Arrow): shift to Vietnam's clock
        micros = micros + VN_OFFSET_SECONDS * MICROS
    return Parsed(micros.astype(np.int64), ok, np.zeros(len(values), bool))


def _from_numbers(values: pa.Array) -> Parsed:
    """Excel serial days; a number with 8 or 14 digits is a compact date sent as a number."""
    x = values.to_numpy(zero_copy_only=False).astype(np.float64)
    present = values.is_valid().to_numpy(zero_copy_only=False) & ~np.isnan(x)
    integral = present & (np.floor(np.where(present, x, 0)) == np.where(present, x, 0))
    compact = integral & (((x >= 1e7) & (x < 1e8)) | ((x >= 1e13) & (x < 1e14)))
    micros = np.zeros(len(x), np.int64)
    ok = np.zeros(len(x), bool)
    serial = present & ~compact & (x >= MIN_SERIAL) & (x <= MAX_SERIAL)
    micros[serial] = _serial_micros(x[serial])
    ok[serial] = True
    if compact.any():
        as_text = pa.array(np.where(compact, x, 0).astype(np.int64)).cast(pa.string())
        sub = _from_strings(as_text.filter(pa.array(compact)))
        micros[compact], ok[compact] = sub.micros, sub.ok
    return Parsed(micros, ok, present & ~ok)


def _serial_micros(serial: np.ndarray) -> np.ndarray:
    # exporters round serials to ~1e-6 day (0.09 s): round to the nearest second
    seconds = np.rint(serial * DAY_SECONDS).astype(np.int64)
    return (seconds + EXCEL_EPOCH_DAYS * DAY_SECONDS) * MICROS


@dataclass(frozen=True)
class Shape:
    """A zero-padded fixed-width spelling of a dialect, read straight from the bytes. The
    template has `d` for a digit, `±` for a sign, `¦` for "T" or a blank, and literals."""

    name: str
    pattern: str
    template: str
    spans: tuple[tuple[int, int], ...]  # Y, m, d, H, M, S
    zone_at: int | None = None  # "+07:00" / "Z" starts here

    @property
    def width(self) -> int:
        return len(self.template)


SHAPES: tuple[Shape, ...] = (
    Shape("dmy", r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$", "dd/dd/dddd dd:dd:dd",
          ((6, 10), (3, 5), (0, 2), (11, 13), (14, 16), (17, 19))),
    Shape("compact", r"^\d{14}$", "dddddddddddddd",
          ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))),
    Shape("iso_offset", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$",
          "dddd-dd-ddTdd:dd:dd±dd:dd",
          ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)), zone_at=19),
    Shape("iso_naive", r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$", "dddd-dd-dd¦dd:dd:dd",
          ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19))),
)
_ALTERNATIVES = {"±": b"+-", "¦": b"T "}


Option = TypeVar("Option", Shape, Dialect)


def _from_strings(values: pa.Array) -> Parsed:
    n = len(values)
    text = arrow_bytes.trim(values)
    present = text.is_valid().to_numpy(zero_copy_only=False) & (arrow_bytes.lengths(text) > 0)
    micros = np.zeros(n, np.int64)
    ok = np.zeros(n, bool)
    pending = np.flatnonzero(present)
    # fast path: the usual zero-padded spellings, digits read from the bytes with numpy
    for shape in _first_match(text, pending, SHAPES):
        if not len(pending):
            break
        rows, block = _shaped(text, pending, shape)
        if not len(rows):
            continue
        micros[rows], ok[rows] = _fixed_width(block, shape)
        left = np.ones(len(pending), bool)
        left[np.searchsorted(pending, rows)] = False  # both sorted, rows among pending
        pending = pending[left]
    # every other spelling (no seconds, one-digit days, fractions, other offsets, serials)
    for dialect in _first_match(text, pending, DIALECTS):
        if not len(pending):
            break
        sub = text.take(pa.array(pending))
        found = pc.extract_regex(sub, dialect.pattern)
        matched = found.is_valid().to_numpy(zero_copy_only=False)
        if not matched.any():
            continue
        rows = pending[matched]
        parts = found.filter(pa.array(matched))
        if dialect.name == "serial":
            serial = pc.cast(parts.field("serial"), pa.float64()).to_numpy()
            good = (serial >= MIN_SERIAL) & (serial <= MAX_SERIAL)
            values_us = np.where(good, _serial_micros(np.where(good, serial, 0)), 0)
        else:
            values_us, good = _components(parts, has_zone=dialect.name == "iso")
        micros[rows] = values_us
        ok[rows] = good
        pending = pending[~matched]  # a matched but impossible value (31/02) stays bad
    return Parsed(micros, ok, present & ~ok)


def _first_match(text: pa.Array, pending: np.ndarray, options: tuple[Option, ...]
                 ) -> list[Option]:
    """Try the spelling of the first value first: a file is nearly always in one dialect."""
    if not len(pending):
        return []
    first = pa.array([text[int(pending[0])].as_py()], pa.string())
    lead = [o for o in options if pc.match_substring_regex(first, o.pattern)[0].as_py()]
    return lead + [o for o in options if o not in lead]


def _shaped(text: pa.Array, rows: np.ndarray, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose value has the shape's exact spelling, and their bytes."""
    chosen, block = arrow_bytes.fixed_width(text, rows, shape.width)
    if not len(chosen):
        return chosen, block
    good = np.ones(len(chosen), bool)
    for at, char in enumerate(shape.template):
        column = block[:, at]
        if char == "d":
            good &= (column >= ord("0")) & (column <= ord("9"))
        elif char in _ALTERNATIVES:
            good &= np.isin(column, np.frombuffer(_ALTERNATIVES[char], np.uint8))
        else:
            good &= column == ord(char)
    return chosen[good], block[good]


def _fixed_width(block: np.ndarray, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    def number(span: tuple[int, int]) -> np.ndarray:
        a, b = span
        value = np.zeros(len(block), np.int64)
        for column in range(a, b):
            value = value * 10 + (block[:, column].astype(np.int64) - ord("0"))
        return value

    y, m, d, hh, mi, ss = (number(span) for span in shape.spans)
    micros, good = _combine(y, m, d, hh, mi, ss)
    if shape.zone_at is not None:
        z = shape.zone_at
        sign = np.where(block[:, z] == ord("-"), -1, 1)
        offset = sign * (number((z + 1, z + 3)) * 3600 + number((z + 4, z + 6)) * 60)
        good &= np.abs(offset) <= 14 * 3600
        micros = micros - (offset - VN_OFFSET_SECONDS) * MICROS
    return micros, good


def _combine(y: np.ndarray, m: np.ndarray, d: np.ndarray, hh: np.ndarray, mi: np.ndarray,
             ss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local microseconds since 1970 and whether the components make a real time."""
    month = np.clip(m, 1, 12)
    good = ((y >= MIN_YEAR) & (y <= MAX_YEAR) & (m >= 1) & (m <= 12) & (d >= 1)
            & (d <= _days_in_month(y, month)) & (hh <= 23) & (mi <= 59) & (ss <= 59))
    seconds = _days_from_civil(y, month, d) * DAY_SECONDS + hh * 3600 + mi * 60 + ss
    return (seconds * MICROS).astype(np.int64), good


def _int_field(parts: pa.StructArray, name: str) -> np.ndarray:
    field = parts.field(name)
    filled = pc.if_else(pc.equal(field, ""), "0", field)
    return pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False)


def _components(parts: pa.StructArray, *, has_zone: bool) -> tuple[np.ndarray, np.ndarray]:
    y, m, d = (_int_field(parts, k) for k in ("Y", "m", "d"))
    hh, mi, ss = (_int_field(parts, k) for k in ("H", "M", "S"))
    names = [f.name for f in parts.type]
    clock_ok = np.ones(len(hh), bool)
    if "p" in names:
        period = pc.utf8_upper(parts.field("p"))
        twelve_hour = pc.not_equal(period, "").to_numpy(zero_copy_only=False)
        after_noon = pc.equal(period, VI_AFTER_NOON).to_numpy(zero_copy_only=False)
        # a 12-hour clock has no 0 or 13; 12:05 SA is five past midnight, 12:05 CH past noon
        clock_ok = ~twelve_hour | ((hh >= 1) & (hh <= 12))
        hh = np.where(twelve_hour, hh % 12 + 12 * after_noon, hh)
    micros, good = _combine(y, m, d, hh, mi, ss)
    good &= clock_ok
    if "f" in names:
        frac = parts.field("f")
        padded = pc.utf8_slice_codeunits(pc.utf8_rpad(frac, 6, "0"), 0, 6)
        micros = micros + pc.cast(padded, pa.int64()).to_numpy(zero_copy_only=False)
    if has_zone:
        offset, zone_ok = _offsets(parts.field("z"))
        micros = micros - offset * MICROS
        good &= zone_ok
    return micros.astype(np.int64), good


def _offsets(zone: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Seconds to subtract to get Vietnam's wall clock: offset - 07:00 (0 when no zone)."""
    n = len(zone)
    empty = pc.equal(zone, "").to_numpy(zero_copy_only=False)
    utc = pc.is_in(zone, pa.array(["Z", "z", "UTC", "GMT"])).to_numpy(zero_copy_only=False)
    parts = pc.extract_regex(zone, _ZONE_PARTS)
    has = parts.is_valid().to_numpy(zero_copy_only=False)
    offset = np.zeros(n, np.int64)
    if has.any():
        sign = np.where(pc.equal(parts.field("sign"), "-").to_numpy(zero_copy_only=False), -1, 1)
        hh, mm = _int_field(parts, "hh"), _int_field(parts, "mm")
        offset = np.where(has, sign * (hh * 3600 + mm * 60), 0)
    ok = empty | utc | (has & (np.abs(offset) <= 14 * 3600))
    shift = np.where(empty, 0, offset - VN_OFFSET_SECONDS)
    return shift.astype(np.int64), ok


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return lengths[m - 1] + ((m == 2) & leap)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146_097 + doe - 719_468).astype(np.int64)
