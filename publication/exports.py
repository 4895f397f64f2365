"""Exports written with each publication, from the new file itself.

- `parquet/<table>/`: one folder per table, whatever its size, so the path a tool reads never
  changes; a large table with a period is split by year (hive partitioning, `year=2025/`), the
  rest is one `data.parquet`. Power BI (folder connector) and Spark read the folder.
- `xlsx/<table>.xlsx`: one spreadsheet per index table (a table with a `rank`), Vietnamese
  headers, and a second sheet saying what the publication and each column are.
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import duckdb
import xlsxwriter

from publication.descriptions import TableDoc, header_vi

# tables from this many rows up are split by year when they have a period
PARTITION_ROWS = 100_000
PERIOD_COLUMNS = ("year", "period_start", "period_end")  # a `year` column is used as it is
EXCEL_MAX_ROWS = 1_048_575  # one header row
CONSTANT_MEMORY_ROWS = 100_000


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def is_index_table(columns: list[tuple[str, str]]) -> bool:
    return any(c == "rank" for c, _ in columns)


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]],
                  target: Path, *, partition_rows: int = PARTITION_ROWS) -> Path:
    folder = target / table
    folder.mkdir(parents=True)
    rows = con.execute(f"select count(*) from {_quote(table)}").fetchone()[0]
    names = [c for c, _ in columns]
    period = next((c for c in PERIOD_COLUMNS if c in names), None)
    if rows >= partition_rows and period is not None:
        # the year is a column of its own in the folder names (year=2025), not in the files
        year = "" if period == "year" else f", year({_quote(period)}) as year"
        con.execute(f"copy (select *{year} from {_quote(table)}) to {_literal(str(folder))} "
                    "(format parquet, partition_by (year), filename_pattern 'data_{i}')")
    else:
        con.execute(f"copy (select * from {_quote(table)}) to "
                    f"{_literal(str(folder / 'data.parquet'))} (format parquet)")
    return folder


def _writer(sheet: xlsxwriter.worksheet.Worksheet, date: object, stamp: object):
    """One call per cell, chosen by the value's type (xlsxwriter's generic `write` guesses and is
    about three times slower)."""
    def write(i: int, j: int, value: object) -> None:
        kind = type(value)
        if kind is str:
            sheet.write_string(i, j, value)
        elif kind is int or kind is float:
            sheet.write_number(i, j, value)
        elif kind is bool:
            sheet.write_boolean(i, j, value)
        elif kind is decimal.Decimal:
            sheet.write_number(i, j, float(value))
        elif kind is dt.datetime:
            sheet.write_datetime(i, j, value.replace(tzinfo=None), stamp)
        elif kind is dt.date:
            sheet.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date)
        elif kind is list or kind is tuple:
            sheet.write_string(i, j, "; ".join(str(v) for v in value))
        else:
            sheet.write_string(i, j, str(value))
    return write


def write_xlsx(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]],
               doc: TableDoc | None, about: list[tuple[str, str]], target: Path) -> Path:
    rows = con.execute(f"select * from {_quote(table)}").fetchall()
    if len(rows) > EXCEL_MAX_ROWS:
        raise ValueError(f"{table} has {len(rows):,} rows, more than a spreadsheet holds")
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{table}.xlsx"
    # constant memory writes rows slower; only a large table needs it
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": len(rows) > CONSTANT_MEMORY_ROWS})
    try:
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet = workbook.add_worksheet(table[:31])
        headers = [header_vi(c, doc.columns.get(c.lower()) if doc else None) for c, _ in columns]
        for j, header in enumerate(headers):
            sheet.write_string(0, j, header, bold)
            sheet.set_column(j, j, min(max(len(header), 10), 40))
        write = _writer(sheet, date, stamp)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if value is not None:
                    write(i, j, value)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)

        info = workbook.add_worksheet("Thông tin")
        info.set_column(0, 0, 28)
        info.set_column(1, 2, 60)
        line = 0
        for label, value in about:
            info.write_string(line, 0, label, bold)
            info.write_string(line, 1, value)
            line += 1
        if doc and doc.description:
            info.write_string(line, 0, "Bảng", bold)
            info.write_string(line, 1, doc.description)
            line += 1
        line += 1
        for j, text in enumerate(("Tiêu đề cột", "Tên cột", "Mô tả")):
            info.write_string(line, j, text, bold)
        for (column, _), header in zip(columns, headers, strict=True):
            line += 1
            column_doc = doc.columns.get(column.lower()) if doc else None
            info.write_string(line, 0, header)
            info.write_string(line, 1, column)
            info.write_string(line, 2, column_doc.description if column_doc else "")
    finally:
        workbook.close()
    return path


def write_exports(published_file: Path, target: Path, docs: dict[str, TableDoc], *,
                  partition_rows: int = PARTITION_ROWS) -> dict[str, list[Path]]:
    """Parquet for every table of the new file, a spreadsheet for every index table."""
    written: dict[str, list[Path]] = {"parquet": [], "xlsx": []}
    target.mkdir(parents=True)
    with duckdb.connect(str(published_file), read_only=True) as con:
        tables = table_columns(con)
        run_id, published_at, version = con.execute(
            "select run_id, published_at, code_version from _publication").fetchone()
        about = [("Lần công bố (run id)", run_id),
                 ("Thời điểm công bố", f"{published_at:%Y-%m-%d %H:%M:%S} (giờ Việt Nam)"),
                 ("Phiên bản mã nguồn", version)]
        for table, columns in tables.items():
            written["parquet"].append(write_parquet(con, table, columns, target / "parquet",
                                                    partition_rows=partition_rows))
            if is_index_table(columns):
                written["xlsx"].append(write_xlsx(con, table, columns, docs.get(table.lower()),
                                                  about, target / "xlsx"))
    return written
