"""Mutations of valid export bytes for the property-based tests: lines, cells and bytes deleted,
duplicated and swapped, the file truncated, control characters inserted, re-encoded."""

from __future__ import annotations

from hypothesis import strategies as st


def _lines(data: bytes, i: int, j: int, how: str) -> bytes:
    lines = data.split(b"\n")
    i, j = i % len(lines), j % len(lines)
    if how == "delete":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _cells(data: bytes, i: int, j: int, how: str) -> bytes:
    lines = data.split(b"\n")
    line = i % len(lines)
    cells = lines[line].split(b",")
    a, b = j % len(cells), (i + j) % len(cells)
    if how == "delete":
        del cells[a]
    elif how == "duplicate":
        cells.insert(a, cells[a])
    else:
        cells[a], cells[b] = cells[b], cells[a]
    lines[line] = b",".join(cells)
    return b"\n".join(lines)


def _bytes(data: bytes, i: int, j: int, how: str) -> bytes:
    if not data:
        return data
    i, j = i % len(data), j % len(data)
    if how == "delete":
        return data[:i] + data[i + 1 + j % 8:]
    if how == "duplicate":
        return data[:i] + data[i:i + 1 + j % 8] + data[i:]
    swapped = bytearray(data)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return bytes(swapped)


def _reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", errors="replace").encode(encoding, errors="replace")


def mutate(data: bytes, step: tuple[str, str, int, int, str]) -> bytes:
    unit, how, i, j, encoding = step
    if unit == "line":
        return _lines(data, i, j, how)
    if unit == "cell":
        return _cells(data, i, j, how)
    if unit == "byte":
        return _bytes(data, i, j, how)
    if unit == "truncate":
        return data[: i % (len(data) + 1)]
    if unit == "control":
        at = i % (len(data) + 1)
        return data[:at] + b"\x00\x07\x1b"[j % 3:j % 3 + 1] + data[at:]
    return _reencode(data, encoding)


STEPS = st.tuples(
    st.sampled_from(["line", "cell", "byte", "truncate", "control", "reencode"]),
    st.sampled_from(["delete", "duplicate", "swap"]),
    st.integers(0, 10_000), st.integers(0, 10_000),
    st.sampled_from(["utf-16", "utf-16-le", "cp1258", "utf-8-sig", "latin-1"]))
