"""Text columns built at memory speed: fixed-width byte matrices straight into Arrow.

numpy's unicode arrays cost about a microsecond per value to hand to Arrow, and `strftime` a
little more; ids, identity numbers and timestamps all have a fixed width, so their bytes are
written digit by digit into a (rows, width) matrix and wrapped as an Arrow string array without
a copy per value. Categorical text (codes, names, notes) is a dictionary `take`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NAT = np.iinfo(np.int64).min
DAY = 86_400


def from_matrix(matrix: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A (rows, width) uint8 matrix of UTF-8 bytes as an Arrow string array (null where not
    valid; a null slot keeps its bytes, which Arrow ignores)."""
    rows, width = matrix.shape
    data = pa.py_buffer(np.ascontiguousarray(matrix).tobytes())
    offsets = pa.py_buffer((np.arange(rows + 1, dtype=np.int32) * width).tobytes())
    if valid is None or valid.all():
        return pa.StringArray.from_buffers(rows, offsets, data)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    return pa.StringArray.from_buffers(rows, offsets, data, bitmap, int((~valid).sum()))


def from_fixed_bytes(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A numpy `S<width>` array (every value exactly that wide) as Arrow strings."""
    width = values.dtype.itemsize
    return from_matrix(np.ascontiguousarray(values).view(np.uint8).reshape(-1, width), valid)


def put_digits(matrix: np.ndarray, column: int, values: np.ndarray, width: int) -> None:
    """Write `values` zero-padded to `width` digits at `column` of every row."""
    values = np.asarray(values, dtype=np.int64)
    for k in range(width):
        matrix[:, column + width - 1 - k] = 48 + (values // 10**k) % 10


def put_text(matrix: np.ndarray, column: int, text: bytes) -> None:
    matrix[:, column:column + len(text)] = np.frombuffer(text, np.uint8)


def put_choice(matrix: np.ndarray, column: int, choices: Sequence[bytes],
               index: np.ndarray) -> None:
    """Write choices[index] (all of one width) at `column`."""
    table = np.array([np.frombuffer(c, np.uint8) for c in choices])
    matrix[:, column:column + table.shape[1]] = table[index]


PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], np.uint8)
EPOCH = dt.date(1970, 1, 1)
# the export dialects: date part (strftime), separator, clock separator, suffix
DIALECTS: dict[str, tuple[str, bytes, bytes, bytes]] = {
    "%d/%m/%Y %H:%M:%S": ("%d/%m/%Y", b" ", b":", b""),
    "%Y%m%d%H%M%S": ("%Y%m%d", b"", b"", b""),
    "%Y-%m-%dT%H:%M:%S+07:00": ("%Y-%m-%d", b"T", b":", b"+07:00"),
    "%Y-%m-%dT%H:%M:%S": ("%Y-%m-%d", b"T", b":", b""),
}


@functools.cache
def _date_table(date_format: str, first: int, span: int) -> np.ndarray:
    """The date part of every day in [first, first + span) as a (span, width) byte matrix."""
    return np.array([np.frombuffer((EPOCH + dt.timedelta(first + i)).strftime(date_format)
                                   .encode(), np.uint8) for i in range(span)])


def format_seconds(seconds: np.ndarray, fmt: str) -> pa.Array:
    """Wall-clock seconds since 1970 (NAT: null) as text in one of the export dialects: the
    date part looked up per day (built once per 1,024 days), the clock from digit pairs."""
    date_format, separator, clock_separator, suffix = DIALECTS[fmt]
    seconds = np.asarray(seconds, dtype=np.int64)
    valid = seconds != NAT
    n = len(seconds)
    if not valid.any():
        return pa.nulls(n, pa.string())
    days = np.floor_divide(seconds, DAY, where=valid, out=np.zeros(n, np.int64))
    first = int(days[valid].min()) // 1024 * 1024
    span = (int(days[valid].max()) - first) // 1024 * 1024 + 1024
    dates = _date_table(date_format, first, span)
    clock = np.where(valid, seconds - days * DAY, 0)
    days = np.where(valid, days - first, 0)
    width_date = dates.shape[1]
    width = width_date + len(separator) + 6 + 2 * len(clock_separator) + len(suffix)
    matrix = np.empty((n, width), np.uint8)
    matrix[:, :width_date] = dates[days]
    at = width_date
    for text, value in ((separator, clock // 3600), (clock_separator, clock // 60 % 60),
                        (clock_separator, clock % 60)):
        put_text(matrix, at, text)
        at += len(text)
        matrix[:, at:at + 2] = PAIRS[value]
        at += 2
    put_text(matrix, at, suffix)
    return from_matrix(matrix, valid)


def json_lines(table: pa.Table) -> bytes:
    """Rows as JSON Lines, one object per row with the columns in order, nulls as null, text
    with quotes and backslashes escaped (the sample's text holds no control characters)."""
    pieces: list[pa.Array | str] = []
    for i, name in enumerate(table.column_names):
        column = table.column(name).combine_chunks()
        key = ("{" if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":"
        if pa.types.is_string(column.type):
            escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"),
                                           '"', '\\"')
            value = pc.binary_join_element_wise('"', escaped, '"', "")
        else:
            value = column.cast(pa.string())
        pieces.append(pc.binary_join_element_wise(key, pc.fill_null(value, "null"), ""))
    lines = pc.binary_join_element_wise(*pieces, "}\n", "")
    offsets = np.frombuffer(lines.buffers()[1], np.int32)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2].to_pybytes()[first:last]


def choose(dictionary: pa.Array, index: np.ndarray, valid: np.ndarray | None = None
           ) -> pa.Array:
    """dictionary[index] as a plain array (null where not valid)."""
    indices = pa.array(np.asarray(index, dtype=np.int32),
                       mask=None if valid is None else ~np.asarray(valid, bool))
    return dictionary.take(indices)
