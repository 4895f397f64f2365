"""Deterministic writers for the export dialects real one-stop systems produce.

Same table in, same bytes out: no wall-clock metadata is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

from sample_generator.arrow_text import json_lines

UTF8_BOM = b"\xef\xbb\xbf"
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
FIXED_XLSX_TIME = dt.datetime(2026, 1, 1)

DMY = "%d/%m/%Y %H:%M:%S"
COMPACT = "%Y%m%d%H%M%S"
ISO_OFFSET = "%Y-%m-%dT%H:%M:%S+07:00"
ISO_NAIVE = "%Y-%m-%dT%H:%M:%S"


def timestamps(local_seconds: np.ndarray) -> pa.Array:
    """Local (Asia/Ho_Chi_Minh) wall-clock seconds, NaT as null, as a naive Arrow timestamp."""
    values = np.asarray(local_seconds, dtype="datetime64[s]")
    return pa.array(values, type=pa.timestamp("s"), mask=np.isnat(values))


ISO_SPACE_PATTERN = r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$"
# strftime is slow on millions of values; a cast to ISO text and one regex rewrite is not
REWRITES = {
    DMY: r"\3/\2/\1 \4:\5:\6",
    COMPACT: r"\1\2\3\4\5\6",
    ISO_OFFSET: r"\1-\2-\3T\4:\5:\6+07:00",
    ISO_NAIVE: r"\1-\2-\3T\4:\5:\6",
}


def format_timestamps(local_seconds: np.ndarray, fmt: str) -> pa.Array:
    values = timestamps(local_seconds)
    if fmt not in REWRITES:
        return pc.strftime(values, format=fmt)
    return pc.replace_substring_regex(pc.cast(values, pa.string()), ISO_SPACE_PATTERN,
                                      REWRITES[fmt])


def excel_serial(local_seconds: np.ndarray) -> pa.Array:
    values = np.asarray(local_seconds, dtype="datetime64[s]")
    serial = (values - EXCEL_EPOCH).astype(np.float64) / 86400.0
    return pa.array(np.round(serial, 6), mask=np.isnat(values))


def to_nfd(table: pa.Table) -> pa.Table:
    """Decompose every string column (as some exporters do): only its non-ASCII values (ASCII
    is its own NFD), one normalize per distinct value."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type):
            column = column.combine_chunks()
            plain = pc.fill_null(pc.string_is_ascii(column), True)
            if not pc.all(plain).as_py():
                accented = pc.invert(plain)
                encoded = pc.dictionary_encode(column.filter(accented))
                decomposed = pa.array(
                    [unicodedata.normalize("NFD", v) for v in encoded.dictionary.to_pylist()],
                    type=pa.string())
                column = pc.replace_with_mask(column, accented,
                                              pc.take(decomposed, encoded.indices))
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_csv(table: pa.Table, path: Path, *, bom: bool = False, nfd: bool = False) -> int:
    if nfd:
        table = to_nfd(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    with path.open("wb") as handle:
        if bom:
            handle.write(UTF8_BOM)
        handle.write(sink.getvalue().to_pybytes())
    return table.num_rows


def write_jsonl(table: pa.Table, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        con.register("export_rows", table)
        target = str(path).replace("'", "''")
        con.execute(f"copy (select * from export_rows) to '{target}' (format json)")
    finally:
        con.close()
    return table.num_rows


def write_parquet(table: pa.Table, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)
    return table.num_rows


def write_xlsx(table: pa.Table, path: Path, *, sheet: str = "Sheet1",
               title: str | None = None) -> int:
    """Small tables only (catalogues, survey files): one Python row loop is fine here. A
    `title` goes in a row of its own above the header, as published reports print one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": FIXED_XLSX_TIME, "author": "chiso sample"})
    worksheet = workbook.add_worksheet(sheet)
    top = 0
    if title is not None:
        worksheet.write_string(0, 0, title)
        top = 2  # a blank row between the title and the header
    worksheet.write_row(top, 0, table.column_names)
    columns = [c.to_pylist() for c in table.columns]
    # one typed writer per column skips xlsxwriter's per-cell type dispatch
    writers = [
        worksheet.write_string if pa.types.is_string(c.type) else worksheet.write_number
        for c in table.columns
    ]
    for row_index, row in enumerate(zip(*columns, strict=True), start=top + 1):
        for col_index, value in enumerate(row):
            if value is not None:
                writers[col_index](row_index, col_index, value)
    workbook.close()
    return table.num_rows


class Appender:
    """A file written chunk by chunk: the same bytes as writing the chunks' rows at once with
    the same chunking."""

    def append(self, table: pa.Table) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CsvAppender(Appender):
    def __init__(self, path: Path, *, bom: bool, nfd: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")
        self.nfd = nfd
        self.header = True
        if bom:
            self.handle.write(UTF8_BOM)

    def append(self, table: pa.Table) -> None:
        if self.nfd:
            table = to_nfd(table)
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table.combine_chunks(), sink, pacsv.WriteOptions(
            include_header=self.header, quoting_style="needed"))
        self.handle.write(sink.getvalue().to_pybytes())
        self.header = False

    def close(self) -> None:
        self.handle.close()


class JsonlAppender(Appender):
    """JSON Lines as DuckDB's writer spells them (one object per line, keys in column order)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")

    def append(self, table: pa.Table) -> None:
        self.handle.write(json_lines(table))

    def close(self) -> None:
        self.handle.close()


class ParquetAppender(Appender):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.writer: pq.ParquetWriter | None = None

    def append(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self.writer.write_table(table.cast(self.writer.schema), row_group_size=256_000)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def appender(path: Path, *, bom: bool = False, nfd: bool = False) -> Appender:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvAppender(path, bom=bom, nfd=nfd)
    if suffix == ".jsonl":
        return JsonlAppender(path)
    if suffix == ".parquet":
        return ParquetAppender(path)
    raise ValueError(f"no appender for {path.name}")
