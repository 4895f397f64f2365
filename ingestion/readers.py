"""Readers: one input in, its rows as an Arrow table out, every row numbered as in the file.

Row numbers are 1-based data rows (row 1 is the first record after the header; for JSON Lines
the line number), the numbering of the sample's ground truth. A row the format itself cannot
parse (a truncated last line, a line that is not JSON, a CSV row with the wrong number of
fields) is returned as a `BrokenRow` for the quarantine instead of stopping the file. A file
that cannot be read at all raises `UnreadableFile` with a reason a data steward can act on.

Inputs come as `sources.Blob`s: the format is the one their content shows (see `sources`), and
text is UTF-8 by then. Report title rows above the header are skipped in CSV as in
spreadsheets; every sheet of a workbook (every table of an HTML export) whose header names a
layout is its own input.

Values stay as the file typed them (strings, numbers, timestamps): typing to the contract is
`normalise`'s job. CSV is read as text throughout: its types are only ever guesses.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ingestion import portal_evaluation, sources, statistical
from ingestion.layout import canonical_columns, clean_column, detect_family, header_row
from ingestion.normalise import as_text
from ingestion.pseudonymise import redact_message
from ingestion.sources import UTF8_BOM, Blob, UnreadableFile

HEADER_SCAN_ROWS = 10  # exports may carry a report title above the header
SLOW_JSON_CHUNK = 64  # below this many lines a failing chunk is parsed line by line
_TYPE_CHANGE = re.compile(r"Column\(/(?P<column>.+?)\) changed from (?P<old>\w+) to (?P<new>\w+)")

__all__ = ["BrokenRow", "RawFile", "UnreadableFile", "read_file", "read_header", "read_sheets"]


class NotUtf8(Exception):
    """Invalid UTF-8 past the sniffed head: the caller transcodes the whole blob and retries."""


@dataclass(frozen=True)
class BrokenRow:
    row: int
    reason: str
    text: str
    fields: list[str] | None = None  # CSV: the fields that could be split, for redaction


@dataclass
class RawFile:
    format: str
    columns: list[str]
    table: pa.Table
    rows: np.ndarray  # 1-based data row of each table row
    broken: list[BrokenRow] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return len(self.rows) + len(self.broken)

    def keeping(self, keep: pa.Array) -> RawFile:
        """The rows `keep` marks (a boolean per table row), each with its number in the file."""
        return RawFile(self.format, self.columns, self.table.filter(keep),
                       self.rows[keep.to_numpy(zero_copy_only=False)], self.broken)

    def renamed(self, columns: list[str]) -> RawFile:
        table = self.table.rename_columns(columns) if self.table.num_columns else self.table
        return RawFile(self.format, columns, table, self.rows, self.broken)


# --- headers (cheap: enough to recognise the layout) -------------------------------------------


def read_header(blob: Blob) -> list[str]:
    """Header of a CSV, JSON Lines or Parquet input (spreadsheets: `read_sheets`)."""
    if blob.kind == "parquet":
        return [clean_column(c) for c in _parquet_schema(blob).names]
    if blob.kind in statistical.KINDS:
        return [clean_column(c) for c in statistical.header(blob)]
    head = _text_start(blob.head(1 << 20))
    if portal_evaluation.looks_like_evaluation(head):  # nested JSON, flattened to rows
        return list(portal_evaluation.COLUMNS)
    if blob.kind == "csv":
        _, line = _csv_header_line(head)
        return _csv_header(line)
    if _json_document_as_lines(blob):
        head = _text_start(blob.head(1 << 20))
    return _jsonl_header(head)


def _json_document_as_lines(blob: Blob) -> bool:
    """A JSON document holding the records (an array of objects, or an object with one such
    array, as APIs answer: {"total": 2, "data": [...]}) rewritten in place as JSON Lines, one
    object a line: row n is the array's n-th object. False (and the blob as it was) for JSON
    Lines, and for anything else, which the JSON Lines reader then explains."""
    head = _text_start(blob.head(1 << 16)).lstrip()
    if head.startswith(b"{"):
        lines = [line for line in head.split(b"\n") if line.strip()]
        try:  # a whole object on the first of several lines: JSON Lines
            json.loads(lines[0])
            if len(lines) > 1:
                return False
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass  # an object over several lines: a document
    elif not head.startswith(b"["):
        return False
    try:
        document = json.loads(_text_start(blob.read()))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    found = _records_in(document)
    if found is None:
        return False
    where, records = found
    blob.data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
    blob.path = None
    blob.notes.append(f"a JSON {where} read one object a row")
    return True


def _records_in(document: object) -> tuple[str, list[dict[str, object]]] | None:
    def records(value: object) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    if records(document):
        return "array", document  # type: ignore[return-value]
    # an object that is itself a record (its fee list an array of objects) wraps nothing
    if isinstance(document, dict) and detect_family([clean_column(k) for k in document]) is None:
        arrays = [(k, v) for k, v in document.items() if records(v)]
        if len(arrays) == 1:
            return f'array under "{arrays[0][0]}"', arrays[0][1]
    return None


def _text_start(data: bytes) -> bytes:
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    data = data.removeprefix(UTF8_BOM)
    if not data.strip():
        raise UnreadableFile("empty file (no header, no rows)")
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotUtf8 from None


def _csv_header_line(head: bytes) -> tuple[int, str]:
    """(line index, text) of the header: the first of the top lines naming a known layout, else
    the first line with text (whose columns then explain why no layout matched)."""
    # CR alone ends a line too (Excel for Mac's "CSV (Macintosh)"), as Arrow reads it
    lines = head.splitlines()[:HEADER_SCAN_ROWS + 1]
    texts = [line.decode("utf-8", errors="replace") for line in lines]
    at = header_row([_csv_header(t) for t in texts[:HEADER_SCAN_ROWS]])
    if at is None:
        at = next((i for i, t in enumerate(texts) if t.strip()), 0)
    return at, texts[at]


def _csv_header(line: str) -> list[str]:
    delimiter = _delimiter(line)
    try:
        names = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        names = line.split(delimiter)
    return [clean_column(n) for n in names]


def _delimiter(line: str) -> str:
    # Vietnamese-locale Excel writes ";" (the comma is the decimal separator there)
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _jsonl_header(head: bytes) -> list[str]:
    keys: dict[str, None] = {}
    for line in head.split(b"\n")[:20]:
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict):
            keys.update(dict.fromkeys(clean_column(k) for k in record))
    if not keys:
        if head.lstrip().startswith(b"["):
            raise UnreadableFile("a JSON array that is not a list of records (one object each)")
        raise UnreadableFile("no JSON object in the first lines: not a JSON Lines file")
    return list(keys)


def check_unique(columns: list[str]) -> None:
    seen: set[str] = set()
    twice = sorted({c for c in columns if c in seen or seen.add(c)})
    if twice:
        raise UnreadableFile(f"duplicate column names: {', '.join(twice)}")


# --- whole inputs -----------------------------------------------------------------------------


def read_file(blob: Blob, *, text_columns: Iterable[str] = (),
              widths: dict[str, int] | None = None) -> RawFile:
    """A CSV, JSON Lines or Parquet input. `text_columns`: columns the contract wants as text
    (JSON must not guess timestamps); `widths`: code columns padded when sent as numbers."""
    for attempt in range(2):
        try:
            if blob.kind in statistical.KINDS:
                raw = read_statistical(blob)
            elif blob.kind != "parquet" and portal_evaluation.looks_like_evaluation(
                    blob.head(4096)):
                raw = read_portal_evaluation(blob)
            elif blob.kind == "csv":
                raw = read_csv(blob)
            elif blob.kind == "jsonl":
                raw = read_jsonl(blob, text_columns=set(text_columns), widths=widths or {})
            elif blob.kind == "parquet":
                raw = read_parquet(blob)
            else:
                raise UnreadableFile(f"no reader for {blob.kind}")
            break
        except NotUtf8:
            if attempt:
                raise UnreadableFile("not valid UTF-8 text even after transcoding") from None
            sources.transcode(blob)  # the invalid bytes came after the sniffed head
    check_unique(raw.columns)
    return raw


def read_portal_evaluation(blob: Blob) -> RawFile:
    """The portal's evaluation export: one JSON document, flattened to (unit, metric) rows."""
    try:
        rows = portal_evaluation.rows_from_bytes(blob.read())
    except portal_evaluation.NotAnEvaluationExport as error:
        raise UnreadableFile(f"portal evaluation export: {error}") from None
    table, numbers = portal_evaluation.as_table(rows)
    return RawFile("json", list(portal_evaluation.COLUMNS), table, numbers)


def read_csv(blob: Blob) -> RawFile:
    head = _text_start(blob.head(1 << 20))  # the header and the tail; Arrow reads the rest
    tail = blob.tail(1 << 16)
    header_at, header = _csv_header_line(head)
    # a header cell left empty names no column (Excel writes ",," for formatted empty cells)
    columns = [c or _unnamed(i) for i, c in enumerate(_csv_header(header))]
    delimiter = _delimiter(header)
    check_unique(columns)
    skip = header_at + 1
    table, invalid = _arrow_csv(blob, columns, delimiter, skip, threads=True)
    if any(number is None for number, *_ in invalid):  # numbers are only known single-threaded
        table, invalid = _arrow_csv(blob, columns, delimiter, skip, threads=False)
    total = table.num_rows + len(invalid)
    ends_cleanly = tail.endswith((b"\n", b"\r"))
    broken = []
    blank_lines = set()
    for number, expected, actual, text in invalid:
        row = number - skip  # pyarrow counts the lines above the first record too
        if not text.strip():  # a line of spaces is no record, as an empty line is not
            blank_lines.add(row)
            continue
        cut = row == total and not ends_cleanly
        what = f"expected {expected} fields, found {actual}"
        reason = (f"truncated record: the file ends in the middle of this row ({what})" if cut
                  else f"malformed CSV row: {what}")
        broken.append(BrokenRow(row, reason, text, _split_csv(text, delimiter)))
    bad_rows = {b.row for b in broken} | blank_lines
    if not ends_cleanly and total and total not in bad_rows and _open_quote(blob):
        # cut inside the last field: the field count is right but a quote is left open (a
        # complete quoted multi-line last row without a final newline closes all its quotes)
        last_line = tail[max(tail.rfind(b"\n"), tail.rfind(b"\r")) + 1:]
        text = last_line.decode("utf-8", errors="replace")
        broken.append(BrokenRow(total, "truncated record: the file ends in the middle of "
                                "this row (unclosed quote)", text, _split_csv(text, delimiter)))
        table = table.slice(0, table.num_rows - 1)
        bad_rows.add(total)
    rows = np.setdiff1d(np.arange(1, total + 1), np.fromiter(bad_rows, np.int64))
    raw = _without_blanks(RawFile("csv", columns, table, rows,
                                  sorted(broken, key=lambda b: b.row)))
    return _without_repeated_headers(raw, blob)


def _without_repeated_headers(raw: RawFile, blob: Blob) -> RawFile:
    """Exports joined end to end (`cat` of monthly files) repeat the header inside the data:
    such a row is no record. Rows keep their numbers; the file's note counts them."""
    named = [(i, c) for i, c in enumerate(raw.columns) if not _UNNAMED.fullmatch(c)]
    if not named or not raw.table.num_rows:
        return raw
    repeated = None
    for i, name in named:  # the first column that differs from its name ends the search
        value = pc.utf8_trim_whitespace(pc.utf8_ltrim(raw.table.column(i), "\ufeff"))
        same = pc.fill_null(pc.equal(value, name), False)
        repeated = same if repeated is None else pc.and_(repeated, same)
        if not pc.any(repeated).as_py():
            return raw
    dropped = pc.sum(repeated.cast(pa.int64())).as_py()
    blob.notes.append(f"{dropped} repeated header row{'s' if dropped > 1 else ''} skipped "
                      "(files joined end to end)")
    return raw.keeping(pc.invert(repeated))


def _unnamed(index: int) -> str:
    return f"column_{index + 1}"


_UNNAMED = re.compile(r"column_\d+")


def _without_blanks(raw: RawFile) -> RawFile:
    """A spreadsheet saved as CSV: rows with no value in any column (",,,," for rows that were
    only formatted) are not records, and columns with neither a name nor a value not columns.
    Rows keep their numbers."""
    table = raw.table
    unnamed = [c for i, c in enumerate(raw.columns) if c == _unnamed(i)]
    empty = [c for c in unnamed if not pc.any(pc.invert(_blank(table.column(c)))).as_py()]
    if empty:
        table = table.drop_columns(empty)
    blank = None
    for column in table.columns:  # the first column with a value in every row ends the search
        blank = _blank(column) if blank is None else pc.and_(blank, _blank(column))
        if not pc.any(blank).as_py():
            break
    columns = [c for c in raw.columns if c not in empty]
    raw = RawFile(raw.format, columns, table, raw.rows, raw.broken)
    if blank is None or not pc.any(blank).as_py():
        return raw
    return raw.keeping(pc.invert(blank))


def _blank(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)
    return column.is_null()


def _open_quote(blob: Blob) -> bool:
    """An odd number of quotes in the whole file: it ends inside a quoted field (quotes come in
    pairs in CSV, an escaped quote is two). Counting bytes runs at memory speed."""
    return sum(chunk.count(b'"') for chunk in blob.chunks()) % 2 == 1


def _split_csv(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return [text]


class _InvalidRows(list[tuple[int | None, int, int, str]]):
    """Arrow's invalid-row handler: each row with the wrong number of fields, kept and skipped."""

    def __call__(self, row: pacsv.InvalidRow) -> str:
        self.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"


def _arrow_csv(blob: Blob, columns: list[str], delimiter: str, skip: int, *, threads: bool
               ) -> tuple[pa.Table, list[tuple[int | None, int, int, str]]]:
    invalid = _InvalidRows()
    try:
        table = pacsv.read_csv(
            blob.arrow_source(),  # a leading UTF-8 BOM is skipped by Arrow
            read_options=pacsv.ReadOptions(use_threads=threads, column_names=columns,
                                           skip_rows=skip, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as error:
        # a malformed row that is not UTF-8 fails before the handler sees it ("CSV parse error")
        if "utf8" in str(error).lower() or not _is_utf8(blob):
            raise NotUtf8 from None
        raise UnreadableFile(f"unreadable CSV: {redact_message(str(error))}") from None
    return table, list(invalid)


def _is_utf8(blob: Blob) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in blob.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


UnraisableHook = Callable[["sys.UnraisableHookArgs"], object]


def _quiet_undecodable_rows(hook: UnraisableHook) -> UnraisableHook:
    """Arrow decodes a malformed row's text before calling `_InvalidRows`; text that is not UTF-8
    stops the read (`_arrow_csv` then has the file transcoded) and is reported as an exception
    nobody could catch. That report would read as a crash in the run's log: it is dropped."""
    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        if not (isinstance(unraisable.object, _InvalidRows)
                and isinstance(unraisable.exc_value, UnicodeDecodeError)):
            hook(unraisable)
    return quiet


sys.unraisablehook = _quiet_undecodable_rows(sys.unraisablehook)


def read_jsonl(blob: Blob, *, text_columns: set[str] = frozenset(),
               widths: dict[str, int] | None = None) -> RawFile:
    _json_document_as_lines(blob)
    data = _text_start(blob.read())
    _decode(data)
    if data.lstrip().startswith(b"["):
        raise UnreadableFile("a JSON array that is not a list of records (one object each)")
    lines = data.split(b"\n")
    if not lines[-1].strip():
        lines.pop()  # the final newline ends the last record, it does not start one
    ends_cleanly = data.endswith(b"\n")
    good: list[bytes] = []
    numbers: list[int] = []
    broken: list[BrokenRow] = []
    for number, line in enumerate(lines, start=1):  # a cheap shape check, no JSON parsing
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[:1] == b"{" and stripped[-1:] == b"}":
            good.append(stripped)
            numbers.append(number)
        else:
            broken.append(_broken_json(number, line, last=number == len(lines) and
                                       not ends_cleanly))
    parser = _JsonLines(text_columns, widths or {})
    table, rows, more = parser.parse(good, np.array(numbers, np.int64))
    broken += more
    columns = [clean_column(c) for c in table.column_names]
    table = table.rename_columns(columns)
    return RawFile("jsonl", columns, table, rows, sorted(broken, key=lambda b: b.row))


def _broken_json(number: int, line: bytes, *, last: bool, detail: str = "") -> BrokenRow:
    text = line.decode("utf-8", errors="replace").strip()
    if last:
        reason = "truncated record: the file ends in the middle of this line"
    else:
        reason = "malformed JSON line: " + (detail or "not a complete JSON object")
    return BrokenRow(number, reason, text)


class _JsonLines:
    """Arrow's JSON reader with its two traps handled: it guesses timestamps (and silently
    shifts +07:00 to UTC) and it fails on a column that mixes numbers and strings."""

    def __init__(self, text_columns: set[str], widths: dict[str, int] | None = None) -> None:
        self.text_columns = set(text_columns)
        self.widths = dict(widths or {})
        self.quoted: set[str] = set()
        self.inferred: set[str] = set()

    def _schema(self, keys: set[str]) -> pa.Schema:
        # keys as the file spells them (" NgayNopHoSo" too), matched on their clean names; a
        # code with a width stays a number until it mixes with text, so it can be padded
        names = sorted(k for k in keys
                       if clean_column(k) in self.text_columns and k not in self.inferred
                       and (clean_column(k) not in self.widths or k in self.quoted))
        return pa.schema([(n, pa.string()) for n in names])

    def _quote_numbers(self, buffer: bytes) -> bytes:
        # a number under a text column becomes its text: 1 and 1.0 both "1", 1.5 "1.5"; under
        # a code with a width it is padded first (province 1 -> "01")
        for column in self.quoted:
            key = re.escape(json.dumps(column).encode())
            width = self.widths.get(clean_column(column), 0)
            for digits in range(1, width):
                zeros = b"0" * (width - digits)
                buffer = re.sub(rb"(" + key + rb"\s*:\s*)(\d{" + str(digits).encode() +
                                rb"})(?:\.0*)?(?=\s*[,}])", rb'\1"' + zeros + rb'\2"', buffer)
            buffer = re.sub(rb"(" + key + rb"\s*:\s*)(-?\d+)\.0*(?=\s*[,}])", rb'\1"\2"', buffer)
            buffer = re.sub(rb"(" + key + rb"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
                            rb"(?=\s*[,}])", rb'\1"\2"', buffer)
        return buffer

    def _arrow(self, lines: list[bytes]) -> pa.Table:
        keys: set[str] = set()
        for line in lines[:20]:  # the keys near the top name the text columns to protect
            record = json.loads(line)
            keys |= set(record) if isinstance(record, dict) else set()
        for _ in range(64):  # each round fixes one column's mixed types
            buffer = self._quote_numbers(b"\n".join(lines) + b"\n")
            try:
                return pajson.read_json(
                    io.BytesIO(buffer),
                    read_options=pajson.ReadOptions(block_size=16 << 20),
                    parse_options=pajson.ParseOptions(explicit_schema=self._schema(keys),
                                                      unexpected_field_behavior="infer"))
            except pa.ArrowInvalid as error:
                change = _TYPE_CHANGE.search(str(error))
                if change is None:
                    raise
                column = change["column"]
                if {change["old"], change["new"]} & {"object", "array"}:
                    if column in self.inferred:
                        raise
                    self.inferred.add(column)  # nested: let Arrow type it, text it later
                elif column in self.quoted:
                    raise
                else:
                    self.quoted.add(column)
                    self.text_columns.add(column)
                keys.add(column)
        raise pa.ArrowInvalid("too many mixed-type columns")

    def parse(self, lines: list[bytes], numbers: np.ndarray
              ) -> tuple[pa.Table, np.ndarray, list[BrokenRow]]:
        if not lines:
            return pa.table({}), np.zeros(0, np.int64), []
        try:
            return self._arrow(lines), numbers, []
        except (pa.ArrowInvalid, json.JSONDecodeError):
            pass
        if len(lines) <= SLOW_JSON_CHUNK:
            return self._python(lines, numbers)
        half = len(lines) // 2  # isolate the bad lines, keep the rest on the fast path
        left = self.parse(lines[:half], numbers[:half])
        right = self.parse(lines[half:], numbers[half:])
        return _concat([left[0], right[0]]), np.concatenate([left[1], right[1]]), \
            left[2] + right[2]

    def _python(self, lines: list[bytes], numbers: np.ndarray
                ) -> tuple[pa.Table, np.ndarray, list[BrokenRow]]:
        records, kept, broken = [], [], []
        for number, line in zip(numbers.tolist(), lines, strict=True):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                broken.append(_broken_json(number, line, last=False, detail=error.msg))
                continue
            if not isinstance(record, dict):
                broken.append(_broken_json(number, line, last=False))
                continue
            records.append(record)
            kept.append(number)
        names = list(dict.fromkeys(k for r in records for k in r))
        columns = {n: _python_column([r.get(n) for r in records],
                                     self.widths.get(clean_column(n))) for n in names}
        return pa.table(columns) if names else pa.table({}), np.array(kept, np.int64), broken


def _python_column(values: list[object], width: int | None = None) -> pa.Array:
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) <= 1 and not kinds & {dict, list}:
        return pa.array(values)
    if kinds <= {int, float}:
        return pa.array(values, pa.float64())
    return as_text(pa.array([_cell_text(v, width) for v in values], pa.string()), nfc=False)


def _as_json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Stack tables whose inferred types may differ: same type kept, mixed types as text."""
    tables = [t for t in tables if t.num_columns]
    if not tables:
        return pa.table({})
    names = list(dict.fromkeys(n for t in tables for n in t.column_names))
    columns = {}
    for name in names:
        parts = [t.column(name) if name in t.column_names else pa.nulls(t.num_rows)
                 for t in tables]
        kinds = {p.type for p in parts if not pa.types.is_null(p.type)}
        if len(kinds) > 1:
            parts = [as_text(p, nfc=False) for p in parts]
        elif kinds:
            parts = [p.cast(next(iter(kinds))) for p in parts]
        columns[name] = pa.chunked_array(parts)
    return pa.table(columns)



def _parquet_schema(blob: Blob) -> pa.Schema:
    if blob.size == 0:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        return pq.read_schema(blob.arrow_source())
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(f"unreadable Parquet file: {redact_message(str(error))}") from None


def read_statistical(blob: Blob) -> RawFile:
    """An SPSS or Stata data file (`statistical`): one row a case, numbered from 1."""
    table = statistical.table(blob)
    columns = [clean_column(c) for c in table.column_names]
    return RawFile(blob.kind, columns, table.rename_columns(columns),
                   np.arange(1, table.num_rows + 1, dtype=np.int64))


def read_parquet(blob: Blob) -> RawFile:
    _parquet_schema(blob)
    try:
        table = pq.read_table(blob.arrow_source())
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(f"unreadable Parquet file: {redact_message(str(error))}") from None
    columns = [clean_column(c) for c in table.column_names]
    table = table.rename_columns(columns)
    return RawFile("parquet", columns, table, np.arange(1, table.num_rows + 1, dtype=np.int64))


# --- spreadsheets and HTML tables: one input per sheet ----------------------------------------


@dataclass
class Sheets:
    """The sheets of a workbook whose header names a layout, and the others, described."""

    found: list[tuple[str, RawFile]]
    unmatched: list[str]  # "Ghi chú (no known header)", "Sheet3 (empty)"
    fallback: RawFile | None  # no sheet matched: the first one with cells, to explain why


def read_sheets(blob: Blob) -> Sheets:
    grids = _html_tables(blob) if blob.kind == "html" else _workbook_grids(blob)
    found, unmatched = [], []
    fallback = None
    for name, grid in grids:
        at = header_row(grid[:HEADER_SCAN_ROWS])
        if at is None:
            filled = next((i for i, r in enumerate(grid) if any(_present(v) for v in r)), None)
            unmatched.append(f"{name} ({'empty' if filled is None else 'no known header'})")
            if fallback is None and filled is not None:
                fallback = _grid_table(grid, filled, blob.kind)
            continue
        found.append((name, _grid_table(grid, at, blob.kind)))
    if not found and fallback is None:
        what = "HTML" if blob.kind == "html" else "spreadsheet"
        raise UnreadableFile(f"empty {what} (no header, no rows)")
    return Sheets(found, unmatched, fallback)


def _present(value: object) -> bool:
    return value not in ("", None) and not (isinstance(value, str) and not value.strip())


def _workbook_grids(blob: Blob) -> list[tuple[str, list[list[object]]]]:
    from python_calamine import CalamineWorkbook  # import cost only when a workbook comes

    if blob.size == 0:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        book = (CalamineWorkbook.from_path(str(blob.path)) if blob.data is None
                else CalamineWorkbook.from_filelike(blob.filelike()))
        return [(name, book.get_sheet_by_index(i).to_python(skip_empty_area=False))
                for i, name in enumerate(book.sheet_names)]
    except Exception as error:  # calamine raises its own types for every broken workbook
        raise UnreadableFile(f"unreadable spreadsheet: {redact_message(str(error))}") from None


def _grid_table(grid: list[list[object]], header_at: int, kind: str) -> RawFile:
    columns = [clean_column(c) if _present(c) else f"column_{i + 1}"
               for i, c in enumerate(grid[header_at])]
    while columns and columns[-1].startswith("column_"):
        columns.pop()  # formatting often stretches the used range to the right
    contract = detect_family(columns)
    widths: dict[str, int] = {}
    if contract is not None:
        by_source = {f.source: f.width for f in contract.fields if f.width}
        widths = {c: by_source[s] for c, s in zip(columns, canonical_columns(contract, columns),
                                                   strict=True) if s in by_source}
    body = grid[header_at + 1:]
    # a row with values only beyond the named columns has none of the layout's
    keep = [i for i, r in enumerate(body) if any(_present(v) for v in r[:len(columns)])]
    rows = np.array(keep, np.int64) + 1
    values = [[body[i][j] if j < len(body[i]) else None for i in keep]
              for j in range(len(columns))]
    table = pa.table({c: _cells(v, widths.get(c)) for c, v in zip(columns, values, strict=True)}
                     ) if columns else pa.table({})
    return RawFile("html" if kind == "html" else "xlsx", columns, table, rows)


def _cells(values: list[object], width: int | None = None) -> pa.Array:
    """One spreadsheet column: numbers stay numbers (serial dates, scores), text stays text,
    a column mixing both becomes text with whole numbers written without ".0" (and padded to
    the code's width: a province typed as the number 1 is "01")."""
    present = [None if v == "" else v for v in values]
    try:  # one type throughout (the usual case): Arrow infers it at C speed
        inferred = pa.array(present)
        if not pa.types.is_integer(inferred.type):
            return inferred if not pa.types.is_null(inferred.type) else inferred.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        pass
    kinds = {type(v) for v in present if v is not None}
    if not kinds:
        return pa.nulls(len(values), pa.string())
    if kinds <= {int, float}:
        return pa.array(present, pa.float64())
    if kinds <= {dt.datetime, dt.date}:
        return pa.array([v if v is None or isinstance(v, dt.datetime)
                         else dt.datetime.combine(v, dt.time()) for v in present],
                        pa.timestamp("us"))
    if kinds == {bool}:
        return pa.array(present, pa.bool_())
    return pa.array([_cell_text(v, width) for v in present], pa.string())


def _cell_text(value: object, width: int | None = None) -> str | None:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = _as_json_text(value)
    if width and isinstance(value, int | float) and not isinstance(value, bool) \
            and text is not None and text.isdigit():
        return text.zfill(width)
    return text


class _TableParser(HTMLParser):
    """Rows of cell texts of every <table> (portals save such pages as .xls)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []  # nested tables
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._open.append([])
        elif tag == "tr" and self._open:
            self._open[-1].append([])
        elif tag in ("td", "th") and self._open:
            if not self._open[-1]:
                self._open[-1].append([])
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._open:
            self._open[-1][-1].append(re.sub(r"[ \t\r\f\v]+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "table" and self._open:
            self.tables.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\n", " "))


def _html_tables(blob: Blob) -> list[tuple[str, list[list[object]]]]:
    parser = _TableParser()
    try:
        parser.feed(blob.read().decode("utf-8", errors="replace"))
        parser.close()
    except Exception as error:  # html.parser is lenient; anything left is a broken page
        raise UnreadableFile(f"unreadable HTML: {redact_message(str(error))}") from None
    tables = parser.tables + [t for t in parser._open if t]  # an unclosed table still counts
    if not tables:
        raise UnreadableFile("HTML without a table")
    return [(f"table{i + 1}", t) for i, t in enumerate(tables)]
