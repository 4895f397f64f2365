"""What the survey indices are built from: the raw tables upstream of the yearly dbt models
(read from the dbt manifest, so a survey added to their folders brings its tables along), and
the years their rows speak of (`survey_year`, `year`, or a methodology's validity
`valid_from_year`..`valid_to_year`)."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import duckdb

from orchestration.lib.dbt_project import MANIFEST, YEARLY_TAG
from orchestration.lib.dirty_periods import YEAR, Inputs, exists


@cache
def yearly_sources() -> tuple[str, ...]:
    """The raw tables the yearly models read, directly or through staging."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    tag = YEARLY_TAG.removeprefix("tag:")
    todo = [uid for uid, node in manifest["nodes"].items() if tag in node.get("tags", [])]
    seen: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid not in seen:
            seen.add(uid)
            todo.extend(manifest["parent_map"].get(uid, []))
    sources = [manifest["sources"][uid] for uid in seen if uid in manifest["sources"]]
    return tuple(sorted(s.get("identifier") or s["name"] for s in sources
                        if s.get("schema") == "raw"))


def year_bounds(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str] | None:
    """SQL for the first and last year a row of `raw.<table>` speaks of, or None when its rows
    carry no year (answers: they come in one file with their respondents)."""
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ?", [table]).fetchall()}
    for column in ("survey_year", "year"):
        if column in columns:
            return column, column
    if "valid_from_year" in columns:  # a methodology: every year it is in force, up to now
        now = dt.date.today().year
        return "valid_from_year", (f"coalesce(valid_to_year, {now})"
                                   if "valid_to_year" in columns else str(now))
    return None


def data_years(con: duckdb.DuckDBPyConnection, loaded_after: dt.datetime | None = None
               ) -> tuple[dt.date, dt.date] | None:
    """The first and last year the survey and assessment rows speak of (only rows loaded after
    the given time, when one is given): those with scores or respondents; a methodology in
    force from 2020 to 2030 does not make those years years of data (only when nothing but a
    methodology came do its years count)."""
    where = "where _loaded_at > ?" if loaded_after else ""
    parts = [f"select {bounds[0]} as first_year, {bounds[1]} as last_year, "
             f"{'true' if bounds[0] == bounds[1] else 'false'} as is_data_year "
             f"from raw.{table} {where}"
             for table in yearly_sources() if exists(con, f"raw.{table}")
             and (bounds := year_bounds(con, table)) is not None]
    if not parts:
        return None
    row = con.execute(
        "select coalesce(min(first_year) filter (where is_data_year), min(first_year)), "
        "coalesce(max(last_year) filter (where is_data_year), max(last_year)) "
        f"from ({' union all '.join(parts)})",
        [loaded_after] * len(parts) if loaded_after else []).fetchone()
    return None if row[0] is None else (dt.date(row[0], 1, 1), dt.date(row[1], 1, 1))


def inputs_of_year(con: duckdb.DuckDBPyConnection, year: int,
                   required: tuple[str, ...]) -> dict[str, dt.datetime | None]:
    """For each required raw table, when its newest row for the year was loaded (None: no row
    for the year, or no such table yet)."""
    found: dict[str, dt.datetime | None] = {}
    for table in required:
        bounds = year_bounds(con, table) if exists(con, f"raw.{table}") else None
        found[table] = None if bounds is None else con.execute(
            f"select max(_loaded_at) from raw.{table} where ? between {bounds[0]} and {bounds[1]}",
            [year]).fetchone()[0]
    return found


SURVEY_INPUTS = Inputs(watermark="yearly_indices", grain=YEAR, loaded_tables=yearly_sources(),
                       spans=data_years)
