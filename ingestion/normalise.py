"""Column coercions from whatever a reader produced to the contract's Arrow types.

Every function takes one column of any Arrow type and returns the typed column plus a boolean
mask of values that were present but could not be converted (the caller quarantines those
rows). Missing values (null, empty or blank strings) are never "bad" here: whether a value is
required is the contract's business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion import arrow_bytes, dates

INT_PATTERN = r"^[+-]?\d{1,18}(?:\.0*)?$"
FLOAT_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
DECIMAL_COMMA = r"^([+-]?\d+),(\d+)$"  # "86,6": the Vietnamese decimal separator
# digits grouped by thousands, as a spreadsheet saved as CSV writes what it shows: 12.345
# (Vietnamese, and most of Europe), 12,345 (English), 12 345 (a space or no-break space: French,
# ISO). A dot or comma before three digits may also be a decimal point (SPSS writes 1.000 for
# 1 with three decimals): the column decides (`_thousands`)
SPACE_GROUPED = r"^[+-]?\d{1,3}(?:[ \x{a0}\x{202f}]\d{3})+$"
# and with a fraction: 1.234,5 (Vietnamese) and 1,234.5 (English) are both 1234.5
GROUPED_DECIMAL_COMMA = r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
GROUPED_DECIMAL_POINT = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$"
# NUL and the other control characters (C0 but tab and line breaks, DEL, C1): an export's
# encoding accident, never data; removed from every text value
CONTROL = r"[\x{00}-\x{08}\x{0b}\x{0c}\x{0e}-\x{1f}\x{7f}-\x{9f}]"

# Excel's ways of keeping a code as text, which other tools then write out: ="01" (a formula)
# and '01 (the text prefix); and a whole number written by a tool that had made it a float
# (pandas writes an integer column with a gap as 2.0)
EXCEL_TEXT_CODE = r"^(?:=\"(.*)\"|'(.*))$"
WHOLE_FLOAT_CODE = r"^(\d+)\.0+$"
# invisible characters pasted in with a code: zero-width space, (non-)joiner, word joiner, BOM
ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"

# how exports spell "no value": SQL Server's and MySQL's result exports (NULL, \N), Python and
# pandas (None, nan, NaN, <NA>), Excel's error value (#N/A), and people (N/A, n/a). A typed
# column (time, number, flag, code) reads them as missing; free text keeps them as written.
MISSING_SPELLINGS = pa.array(["NULL", "null", "Null", "\\N", "None", "nan", "NaN", "<NA>",
                              "#N/A", "N/A", "n/a"])

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "code": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "flag": pa.int8(),
}


@dataclass(frozen=True)
class Coerced:
    values: pa.Array
    bad: np.ndarray  # bool per row: present but not convertible
    repaired: np.ndarray | None = None  # text: bool per row, control characters were removed

    @property
    def missing(self) -> np.ndarray:
        return ~self.values.is_valid().to_numpy(zero_copy_only=False) & ~self.bad


def _flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    if isinstance(values, pa.DictionaryArray):
        values = values.dictionary_decode()
    return values


def _no_bad(values: pa.Array) -> np.ndarray:
    return np.zeros(len(values), bool)


def as_text(values: pa.Array | pa.ChunkedArray, *, nfc: bool = True) -> pa.Array:
    """Text as the file says it, NFC, trimmed, without control characters; blank becomes
    null. Numbers become their shortest decimal text, whole floats without ".0" (JSON/XLSX
    send code 1 as 1 or 1.0)."""
    return _text(values, nfc=nfc)[0]


def _text(values: pa.Array | pa.ChunkedArray, *, nfc: bool = True
          ) -> tuple[pa.Array, np.ndarray | None]:
    """as_text, and which rows lost control characters (None: none did)."""
    values = _flat(values)
    kind = values.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string()), None
    if pa.types.is_floating(kind):
        whole = pc.and_kleene(pc.equal(pc.floor(values), values),
                              pc.less(pc.abs(values), 1e18))
        as_int = pc.cast(pc.if_else(whole, values, 0.0), pa.int64()).cast(pa.string())
        text = pc.if_else(whole, as_int, values.cast(pa.string()))
    elif pa.types.is_nested(kind):
        # rare: a JSON array/object where text was expected; keep it as compact JSON
        text = pa.array([None if v is None else json.dumps(v, ensure_ascii=False,
                                                           separators=(",", ":"))
                         for v in values.to_pylist()], pa.string())
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        text = pc.cast(values, pa.string())
    else:
        text = values.cast(pa.string())
    if pa.types.is_large_string(text.type):
        text = text.cast(pa.string())
    repaired = None
    if _may_hold_controls(text):  # a byte scan first: the regex only runs where it can match
        found = pc.match_substring_regex(text, CONTROL)
        if pc.any(found).as_py():
            repaired = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
            text = pc.replace_substring_regex(text, CONTROL, "")
    if nfc and (pa.types.is_string(kind) or pa.types.is_large_string(kind)) \
            and not pc.all(pc.string_is_ascii(text)).as_py():  # ASCII is already NFC
        text = _nfc(text)
    return arrow_bytes.empty_to_null(arrow_bytes.trim(text)), repaired


def _nfc(text: pa.Array) -> pa.Array:
    """NFC of every value; a column that repeats its values (notes, names, places) is
    normalised once per distinct value."""
    encoded = pc.dictionary_encode(text)
    if len(encoded.dictionary) * 4 > len(text):
        return pc.utf8_normalize(text, form="NFC")
    return pc.take(pc.utf8_normalize(encoded.dictionary, form="NFC"), encoded.indices)


_C0_ALLOWED = np.array([9, 10, 13], np.uint8)


def _may_hold_controls(text: pa.Array) -> bool:
    """Whether the string data holds a C0/DEL byte or a UTF-8 C1 pair (C2 80..9F), at numpy
    speed (20 times a regex). A slice may see bytes of its neighbours: then the regex decides."""
    data = text.buffers()[2] if pa.types.is_string(text.type) else None
    if data is None or not data.size:
        return False
    raw = np.frombuffer(data, np.uint8)
    c0 = raw < 32
    if c0.any() and np.isin(raw[c0], _C0_ALLOWED, invert=True).any():
        return True
    if (raw == 127).any():
        return True
    lead = np.flatnonzero(raw[:-1] == 0xC2)
    return bool(len(lead)) and bool(((raw[lead + 1] >= 0x80) & (raw[lead + 1] <= 0x9F)).any())


def to_text(values: pa.Array | pa.ChunkedArray) -> Coerced:
    text, repaired = _text(values)
    return Coerced(text, _no_bad(text), repaired)


def _matches(text: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(text, pattern), False)


def spelled_missing(text: pa.Array) -> np.ndarray | None:
    """Which values (trimmed text) spell a missing value; None when none does."""
    found = pc.fill_null(pc.is_in(text, MISSING_SPELLINGS), False)
    return found.to_numpy(zero_copy_only=False) if pc.any(found).as_py() else None


def repair_code(text: pa.Array, *, digits: int | None) -> tuple[pa.Array, np.ndarray | None]:
    """A code as its system meant it: Excel's text marks and invisible characters removed, and
    for a numeric code (`digits`: its most digits) a float's ".0" dropped and the name a
    template's drop-down writes after it ("01 - Hà Nội") left out. Returns the code and which
    rows changed (None: none did), so a cleaned id that now equals another row's can be set
    aside."""
    before = text
    if pc.any(pc.or_(pc.starts_with(text, "="), pc.starts_with(text, "'"))).as_py():
        text = pc.replace_substring_regex(text, EXCEL_TEXT_CODE, r"\1\2")
    if not pc.all(pc.string_is_ascii(text)).as_py():
        text = pc.replace_substring_regex(text, ZERO_WIDTH, "")
    if digits and pc.any(pc.match_substring(text, ".")).as_py():
        text = pc.replace_substring_regex(text, WHOLE_FLOAT_CODE, r"\1")
    if digits and (pc.max(pc.utf8_length(text)).as_py() or 0) > digits:  # longer than a code
        text = pc.replace_substring_regex(text, rf"^(\d{{1,{digits}}})\s*[-–—:]\s*\p{{L}}.*$",
                                          r"\1")
    changed = None
    if text is not before:
        text = arrow_bytes.empty_to_null(arrow_bytes.trim(text))
        changed = pc.fill_null(pc.not_equal(text, before), False).to_numpy(zero_copy_only=False)
        changed = changed if changed.any() else None
    return text, changed


def pad_code(text: pa.Array, width: int) -> pa.Array:
    """A code that went through a number ("1") back to its digits ("01")."""
    digits = _matches(text, r"^\d+$")
    return pc.if_else(digits, pc.utf8_lpad(text, width, "0"), text)


INT64 = pa.int64()


def to_int(values: pa.Array | pa.ChunkedArray, arrow_type: pa.DataType = INT64) -> Coerced:
    values = _flat(values)
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return Coerced(values.cast(arrow_type), _no_bad(values))
    if pa.types.is_floating(kind):
        present = values.is_valid()
        whole = pc.fill_null(pc.equal(pc.floor(values), values), False)
        bad = pc.and_(present, pc.invert(whole)).to_numpy(zero_copy_only=False)
        kept = pc.if_else(whole, values, pa.scalar(None, kind))
        return Coerced(kept.cast(arrow_type), bad)
    text = as_text(values, nfc=False)
    try:  # the usual case: every value is a plain integer
        return Coerced(_cast_checked(pc.cast(text, pa.int64()), arrow_type,
                                     bad := np.zeros(len(text), bool)), bad)
    except pa.ArrowInvalid:
        pass
    text, ambiguous = _thousands(text)
    good = _matches(text, INT_PATTERN)
    if ambiguous is not None:
        good = pc.and_(good, pa.array(~ambiguous))
    digits = pc.replace_substring_regex(text, r"\.0*$", "")
    parsed = pc.cast(pc.if_else(good, digits, pa.scalar(None, pa.string())), pa.int64())
    bad = pc.and_(text.is_valid(), pc.invert(good)).to_numpy(zero_copy_only=False)
    return Coerced(_cast_checked(parsed, arrow_type, bad), bad)


def _thousands(text: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """An integer column's digits ungrouped where the column shows its thousands separator,
    and the values no one can read (None: none). A dot (or a comma) before groups of three
    digits separates thousands when some value's groups are not all zeros (12.345) and no
    value uses the sign as a decimal point (2.5, 2.00); with a decimal point elsewhere, 1.000
    is one; with neither, 12.000 may be twelve thousand or twelve: not guessed."""
    ambiguous = None
    for sign in (r"\.", ","):
        grouped = _matches(text, rf"^[+-]?\d{{1,3}}(?:{sign}\d{{3}})+$")
        if not pc.any(grouped).as_py():
            continue
        zeros = _matches(text, rf"^[+-]?\d{{1,3}}(?:{sign}000)+$")
        as_point = pc.any(_matches(text, rf"^[+-]?\d*{sign}(?:\d{{1,2}}|\d{{4,}})$")).as_py()
        if as_point:
            continue  # 1.000 is one (and 12.345 no integer)
        if pc.any(pc.and_(grouped, pc.invert(zeros))).as_py():
            text = pc.if_else(grouped, pc.replace_substring_regex(text, sign, ""), text)
        else:
            found = zeros.to_numpy(zero_copy_only=False)
            ambiguous = found if ambiguous is None else ambiguous | found
    spaced = _matches(text, SPACE_GROUPED)
    if pc.any(spaced).as_py():
        text = pc.if_else(spaced, pc.replace_substring_regex(text, r"[ \x{a0}\x{202f}]", ""),
                          text)
    return text, ambiguous


# yes and no as exports write them: Excel's boolean cells saved as CSV (TRUE, FALSE), JSON and
# most languages (true, false), English and Vietnamese forms filled in by people (yes, có, ...)
FLAG_WORDS = pa.array(["true", "false", "yes", "no", "có", "không"])
FLAG_VALUES = pa.array([1, 0, 1, 0, 1, 0], pa.int8())


def to_flag(values: pa.Array | pa.ChunkedArray) -> Coerced:
    """A 0/1 flag; true/false, yes/no and có/không (any case) are read too."""
    flags = to_int(values, pa.int8())
    if not flags.bad.any():
        return flags
    words = pc.index_in(pc.utf8_lower(as_text(values)), FLAG_WORDS)
    known = words.is_valid().to_numpy(zero_copy_only=False) & flags.bad
    if not known.any():
        return flags
    read = pc.if_else(pa.array(known), pc.take(FLAG_VALUES, words), flags.values)
    return Coerced(read, flags.bad & ~known)


def _cast_checked(values: pa.Array, arrow_type: pa.DataType, bad: np.ndarray) -> pa.Array:
    """Narrow int64 to the target type; a value that does not fit is bad (flag 300)."""
    if arrow_type == pa.int64():
        return values
    info = np.iinfo(f"int{arrow_type.bit_width}")
    fits = pc.and_(pc.greater_equal(values, info.min), pc.less_equal(values, info.max))
    fits = pc.fill_null(fits, False)
    bad |= values.is_valid().to_numpy(zero_copy_only=False) & ~fits.to_numpy(zero_copy_only=False)
    return pc.if_else(fits, values, pa.scalar(None, pa.int64())).cast(arrow_type)


def to_float(values: pa.Array | pa.ChunkedArray) -> Coerced:
    values = _flat(values)
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return Coerced(values.cast(pa.float64()), _no_bad(values))
    text = as_text(values, nfc=False)
    try:
        return Coerced(pc.cast(text, pa.float64()), _no_bad(text))
    except pa.ArrowInvalid:
        pass
    vietnamese = _matches(text, GROUPED_DECIMAL_COMMA)
    english = _matches(text, GROUPED_DECIMAL_POINT)
    if pc.any(pc.or_(vietnamese, english)).as_py():
        text = pc.if_else(vietnamese, pc.replace_substring(
            pc.replace_substring(text, ".", ""), ",", "."), text)
        text = pc.if_else(english, pc.replace_substring(text, ",", ""), text)
    text = pc.replace_substring_regex(text, DECIMAL_COMMA, r"\1.\2")
    good = _matches(text, FLOAT_PATTERN)
    parsed = pc.cast(pc.if_else(good, text, pa.scalar(None, pa.string())), pa.float64())
    bad = pc.and_(text.is_valid(), pc.invert(good)).to_numpy(zero_copy_only=False)
    return Coerced(parsed, bad)


def time_number(times: pa.Array) -> pa.Array:
    """Each time as the number yyyyMMddHHmmss: 2025-03-05 10:00:00 is 20250305100000."""
    number = pa.scalar(0, pa.int64())
    for part, scale in ((pc.year, 10**10), (pc.month, 10**8), (pc.day, 10**6),
                        (pc.hour, 10**4), (pc.minute, 100), (pc.second, 1)):
        number = pc.add(number, pc.multiply(pc.cast(part(times), pa.int64()), scale))
    return number


def to_timestamp(values: pa.Array | pa.ChunkedArray) -> Coerced:
    parsed = dates.parse(values)
    return Coerced(parsed.timestamps(), parsed.bad)


def to_date(values: pa.Array | pa.ChunkedArray) -> Coerced:
    parsed = dates.parse(values)
    return Coerced(parsed.dates(), parsed.bad)


def coerce(values: pa.Array | pa.ChunkedArray, kind: str) -> Coerced:
    """One column to the contract kind (see ingestion.contracts)."""
    if kind in ("text", "code"):
        return to_text(values)
    if kind == "int":
        return to_int(values)
    if kind == "flag":
        return to_flag(values)
    if kind == "float":
        return to_float(values)
    if kind == "timestamp":
        return to_timestamp(values)
    if kind == "date":
        return to_date(values)
    raise ValueError(f"unknown field kind {kind!r}")
