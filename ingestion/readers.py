"""Readers: one file in, its rows as an Arrow table out, every row numbered as in the file.

Row numbers are 1-based data rows (row 1 is the first record after the header; for JSON Lines
the line number), the numbering of the sample's ground truth. A row the format itself cannot
parse (a truncated last line, a line that is not JSON, a CSV row with the wrong number of
fields) is returned as a `BrokenRow` for the quarantine instead of stopping the file. A file
that cannot be read at all raises `UnreadableFile` with a reason a data steward can act on.

Values stay as the file typed them (strings, numbers, timestamps): typing to the contract is
`normalise`'s job. CSV is read as text throughout: its types are only ever guesses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ingestion import portal_evaluation
from ingestion.layout import clean_column, matching
from ingestion.normalise import as_text
from ingestion.pseudonymise import redact_message

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
           ".parquet": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx",
           ".ods": "xlsx"}
HEADER_SCAN_ROWS = 10  # spreadsheets may carry a title above the header
SLOW_JSON_CHUNK = 64  # below this many lines a failing chunk is parsed line by line
_TYPE_CHANGE = re.compile(r"Column\(/(?P<column>.+?)\) changed from (?P<old>\w+) to (?P<new>\w+)")


class UnreadableFile(Exception):
    """The whole file cannot be read; the message is the manifest's reason."""


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


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise UnreadableFile(f"unsupported file type '{suffix or path.name}' (expected {known})")
    return FORMATS[suffix]


# --- headers (cheap: enough to recognise the layout) -------------------------------------------


def read_header(path: Path) -> list[str]:
    fmt = file_format(path)
    if portal_evaluation.is_portal_evaluation(path):  # nested JSON, flattened to rows
        return list(portal_evaluation.COLUMNS)
    if fmt == "parquet":
        return [clean_column(c) for c in _parquet_schema(path).names]
    if fmt == "xlsx":
        return read_xlsx(path).columns
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    head = _text_start(head)
    if fmt == "csv":
        line = head.split(b"\n", 1)[0]
        return _csv_header(_decode(line.rstrip(b"\r")))
    return _jsonl_header(head)


def _text_start(data: bytes) -> bytes:
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    if data.startswith(UTF16_BOMS):
        raise UnreadableFile("UTF-16 text: export the file as UTF-8")
    data = data.removeprefix(UTF8_BOM)
    if not data.strip():
        raise UnreadableFile("empty file (no header, no rows)")
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise UnreadableFile(
            f"not valid UTF-8 text (byte 0x{byte:02x} at offset {error.start}; "
            f"cp1258/latin-1 exports must be re-exported as UTF-8)") from None


def _csv_header(line: str) -> list[str]:
    delimiter = _delimiter(line)
    names = next(csv.reader([line], delimiter=delimiter))
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
            raise UnreadableFile("a JSON array, not JSON Lines (one object per line)")
        raise UnreadableFile("no JSON object in the first lines: not a JSON Lines file")
    return list(keys)


def _check_unique(columns: list[str]) -> None:
    seen: set[str] = set()
    twice = sorted({c for c in columns if c in seen or seen.add(c)})
    if twice:
        raise UnreadableFile(f"duplicate column names: {', '.join(twice)}")


# --- whole files ------------------------------------------------------------------------------


def read_file(path: Path, *, text_columns: Iterable[str] = ()) -> RawFile:
    """`text_columns`: columns the contract wants as text (JSON must not guess timestamps)."""
    fmt = file_format(path)
    if portal_evaluation.is_portal_evaluation(path):
        raw = read_portal_evaluation(path)
    elif fmt == "csv":
        raw = read_csv(path)
    elif fmt == "jsonl":
        raw = read_jsonl(path, text_columns=set(text_columns))
    elif fmt == "parquet":
        raw = read_parquet(path)
    else:
        raw = read_xlsx(path)
    _check_unique(raw.columns)
    return raw


def read_portal_evaluation(path: Path) -> RawFile:
    try:
        rows = portal_evaluation.read_rows(path)
    except portal_evaluation.NotAnEvaluationExport as error:
        raise UnreadableFile(f"portal evaluation export: {error}") from None
    table, numbers = portal_evaluation.as_table(rows)
    return RawFile("json", list(portal_evaluation.COLUMNS), table, numbers)


def read_csv(path: Path) -> RawFile:
    with path.open("rb") as handle:  # the header and the tail; Arrow reads the rest itself
        head = _text_start(handle.read(1 << 20))
        size = handle.seek(0, 2)
        handle.seek(max(0, size - (1 << 16)))
        tail = handle.read()
    header = _decode(head.split(b"\n", 1)[0].rstrip(b"\r"))
    columns = _csv_header(header)
    delimiter = _delimiter(header)
    _check_unique(columns)
    table, invalid = _arrow_csv(path, columns, delimiter, threads=True)
    if any(number is None for number, *_ in invalid):  # numbers are only known single-threaded
        table, invalid = _arrow_csv(path, columns, delimiter, threads=False)
    total = table.num_rows + len(invalid)
    ends_cleanly = tail.endswith(b"\n")
    broken = []
    for number, expected, actual, text in invalid:
        row = number - 1  # pyarrow counts the header as row 1
        cut = row == total and not ends_cleanly
        what = f"expected {expected} fields, found {actual}"
        reason = (f"truncated record: the file ends in the middle of this row ({what})" if cut
                  else f"malformed CSV row: {what}")
        broken.append(BrokenRow(row, reason, text, _split_csv(text, delimiter)))
    bad_rows = {b.row for b in broken}
    if not ends_cleanly and total and total not in bad_rows:
        # cut inside the last field: the field count is right but a quote is left open
        last_line = tail[tail.rfind(b"\n") + 1:]
        if last_line.count(b'"') % 2 == 1:
            text = last_line.decode("utf-8", errors="replace")
            broken.append(BrokenRow(total, "truncated record: the file ends in the middle of "
                                    "this row (unclosed quote)", text,
                                    _split_csv(text, delimiter)))
            table = table.slice(0, table.num_rows - 1)
            bad_rows.add(total)
    rows = np.setdiff1d(np.arange(1, total + 1), np.fromiter(bad_rows, np.int64))
    return RawFile("csv", columns, table, rows, sorted(broken, key=lambda b: b.row))


def _split_csv(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return [text]


def _arrow_csv(path: Path, columns: list[str], delimiter: str, *, threads: bool
               ) -> tuple[pa.Table, list[tuple[int | None, int, int, str]]]:
    invalid: list[tuple[int | None, int, int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,  # a leading UTF-8 BOM is skipped by Arrow
            read_options=pacsv.ReadOptions(use_threads=threads, column_names=columns,
                                           skip_rows=1, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as error:
        if "utf8" in str(error).lower():
            _decode(path.read_bytes().removeprefix(UTF8_BOM))  # raises with the offset
        raise UnreadableFile(f"unreadable CSV: {redact_message(str(error))}") from None
    return table, invalid


def read_jsonl(path: Path, *, text_columns: set[str] = frozenset()) -> RawFile:
    data = path.read_bytes()
    data = _text_start(data)
    _decode(data)
    if data.lstrip().startswith(b"["):
        raise UnreadableFile("a JSON array, not JSON Lines (one object per line)")
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
    parser = _JsonLines(text_columns)
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

    def __init__(self, text_columns: set[str]) -> None:
        self.text_columns = set(text_columns)
        self.quoted: set[str] = set()
        self.inferred: set[str] = set()

    def _schema(self, keys: set[str]) -> pa.Schema:
        # keys as the file spells them (" NgayNopHoSo" too), matched on their clean names
        names = sorted(k for k in keys
                       if clean_column(k) in self.text_columns and k not in self.inferred)
        return pa.schema([(n, pa.string()) for n in names])

    def _quote_numbers(self, buffer: bytes) -> bytes:
        # a number under a text column becomes its text: 1 and 1.0 both "1", 1.5 "1.5"
        for column in self.quoted:
            key = re.escape(json.dumps(column).encode())
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
        columns = {n: _python_column([r.get(n) for r in records]) for n in names}
        return pa.table(columns) if names else pa.table({}), np.array(kept, np.int64), broken


def _python_column(values: list[object]) -> pa.Array:
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) <= 1 and not kinds & {dict, list}:
        return pa.array(values)
    if kinds <= {int, float}:
        return pa.array(values, pa.float64())
    return as_text(pa.array([_as_json_text(v) for v in values], pa.string()), nfc=False)


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


def _parquet_schema(path: Path) -> pa.Schema:
    if path.stat().st_size == 0:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        return pq.read_schema(path)
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(f"unreadable Parquet file: {redact_message(str(error))}") from None


def read_parquet(path: Path) -> RawFile:
    _parquet_schema(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(f"unreadable Parquet file: {redact_message(str(error))}") from None
    columns = [clean_column(c) for c in table.column_names]
    table = table.rename_columns(columns)
    return RawFile("parquet", columns, table, np.arange(1, table.num_rows + 1, dtype=np.int64))


def read_xlsx(path: Path) -> RawFile:
    from python_calamine import CalamineWorkbook  # import cost only when a workbook comes

    if path.stat().st_size == 0:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [book.get_sheet_by_index(i).to_python(skip_empty_area=False)
                  for i in range(len(book.sheet_names))]
    except Exception as error:  # calamine raises its own types for every broken workbook
        raise UnreadableFile(f"unreadable spreadsheet: {redact_message(str(error))}") from None
    sheet, header_at = _find_header(sheets)
    if sheet is None:
        raise UnreadableFile("empty spreadsheet (no header, no rows)")
    columns = [clean_column(c) if c not in ("", None) else f"column_{i + 1}"
               for i, c in enumerate(sheet[header_at])]
    while columns and columns[-1].startswith("column_"):
        columns.pop()  # formatting often stretches the used range to the right
    body = sheet[header_at + 1:]
    keep = [i for i, r in enumerate(body) if any(v not in ("", None) for v in r)]
    rows = np.array(keep, np.int64) + 1
    values = [[body[i][j] if j < len(body[i]) else None for i in keep]
              for j in range(len(columns))]
    table = pa.table({c: _cells(v) for c, v in zip(columns, values, strict=True)}) \
        if columns else pa.table({})
    return RawFile("xlsx", columns, table, rows)


def _find_header(sheets: list[list[list[object]]]) -> tuple[list[list[object]] | None, int]:
    """The first row (of the first sheet that has one) naming a known layout; else row 1."""
    for sheet in sheets:
        for i, row in enumerate(sheet[:HEADER_SCAN_ROWS]):
            if matching(str(v) for v in row if v not in ("", None)):
                return sheet, i
    for sheet in sheets:
        for i, row in enumerate(sheet):
            if any(v not in ("", None) for v in row):
                return sheet, i
    return None, 0


def _cells(values: list[object]) -> pa.Array:
    """One spreadsheet column: numbers stay numbers (serial dates, scores), text stays text,
    a column mixing both becomes text with whole numbers written without ".0"."""
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
    return pa.array([_cell_text(v) for v in present], pa.string())


def _cell_text(value: object) -> str | None:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return _as_json_text(value)
