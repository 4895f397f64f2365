"""Byte-level views of Arrow string arrays: the checks numpy can do at memory speed before a
string kernel (trim, regex) runs over every value, often for nothing.

Arrow keeps a string column as one UTF-8 byte buffer and the offsets where each value starts;
a value's first and last bytes, its length, or a fixed-width value's every byte are one numpy
gather away.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# bytes that may start or end a whitespace character: ASCII blanks and controls, and any
# non-ASCII byte (U+00A0, U+2000.., U+3000 are multi-byte; the trim kernel decides those)
_ASCII_BLANK = 32


def offsets_and_data(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(n + 1 offsets into data, data bytes) of a string array, slices included."""
    n = len(text)
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], np.int32)[text.offset:text.offset + n + 1] \
        if buffers[1] is not None else np.zeros(n + 1, np.int32)
    data = np.frombuffer(buffers[2], np.uint8) if buffers[2] is not None and buffers[2].size \
        else np.zeros(1, np.uint8)
    return offsets.astype(np.int64), data


def lengths(text: pa.Array) -> np.ndarray:
    """Bytes per value (0 for a null)."""
    offsets, _ = offsets_and_data(text)
    return np.diff(offsets)


def trim(text: pa.Array) -> pa.Array:
    """`utf8_trim_whitespace`, skipped when no value starts or ends with a byte that could
    belong to whitespace (ids, codes, timestamps: the usual case)."""
    if not len(text):
        return text
    offsets, data = offsets_and_data(text)
    filled = offsets[1:] > offsets[:-1]
    if filled.any():
        first = data[offsets[:-1][filled]]
        last = data[offsets[1:][filled] - 1]
        if not (((first <= _ASCII_BLANK) | (first >= 0x80) | (last <= _ASCII_BLANK)
                 | (last >= 0x80)).any()):
            return text
    return pc.utf8_trim_whitespace(text)


def empty_to_null(text: pa.Array) -> pa.Array:
    """Empty strings become null (without a pass over the values when there are none)."""
    empty = (lengths(text) == 0) & text.is_valid().to_numpy(zero_copy_only=False)
    if not empty.any():
        return text
    return pc.if_else(pa.array(empty), pa.scalar(None, text.type), text)


def fixed_width(text: pa.Array, rows: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows among `rows` whose value is exactly `width` bytes, and their bytes as a
    (len, width) matrix."""
    offsets, data = offsets_and_data(text)
    starts = offsets[rows]
    right = (offsets[rows + 1] - starts) == width
    chosen = rows[right]
    if not len(chosen):
        return chosen, np.zeros((0, width), np.uint8)
    starts = offsets[chosen]
    if (np.diff(starts) == width).all():  # back to back in the buffer (nulls hold no bytes)
        return chosen, data[starts[0]:starts[0] + width * len(chosen)].reshape(-1, width)
    # every window of `width` bytes as a view, then the rows' windows copied
    windows = np.lib.stride_tricks.sliding_window_view(data, width)
    return chosen, windows[starts]
