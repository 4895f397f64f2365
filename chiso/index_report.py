"""The end-of-run index summary: top ten and bottom five of the PAR INDEX and SIPAS for the
last round, with rank changes and their 95% intervals, province names as published."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from rich.console import Console
from rich.table import Table

TOP, BOTTOM = 10, 5


@dataclass(frozen=True)
class IndexView:
    """How one published table reads: its year column, score column and filter."""

    title: str
    table: str
    year_column: str
    score_column: str
    score_label: str
    extra_filter: str = "true"
    band_column: str | None = None


PAR = IndexView("Chỉ số CCHC (PAR INDEX)", "marts.par_index_yearly", "year",
                "pct_of_max_published", "% điểm tối đa", band_column="band")
SIPAS = IndexView("Chỉ số hài lòng (SIPAS)", "marts.sipas_index_yearly", "survey_year",
                  "index_pct_published", "% hài lòng", extra_filter="element_code = 'overall'")


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name]).fetchone()[0] > 0


def rank_change_text(change: int | None, beyond_noise: bool | None, is_new: bool,
                     comparable_change: int | None) -> str:
    """"+27*" (* = beyond the sampling noise), "-3", "=", or "mới" for a unit new this round
    with its change against the comparable figure of its predecessors."""
    if is_new:
        if comparable_change is None:
            return "mới"
        return f"mới ({comparable_change:+d} so sánh)" if comparable_change else "mới (=)"
    if change is None:
        return ""
    text = f"{change:+d}" if change else "="
    return text + ("*" if beyond_noise else "")


def rank_text(rank: int, rank_of: int, best: int | None, worst: int | None) -> str:
    """"13/63 (9–18)": rank N of M with its 95% interval."""
    interval = f" ({best}–{worst})" if best is not None and worst is not None else ""
    return f"{rank}/{rank_of}{interval}"


def _status_of_last_round(con: duckdb.DuckDBPyConnection, view: IndexView
                          ) -> tuple[int | None, int | None, str | None]:
    """(last round, last computed round, why the last round is not computed)."""
    last, computed = con.execute(
        f"select max({view.year_column}), "
        f"max({view.year_column}) filter (where status = 'computed') "
        f"from {view.table} where {view.extra_filter}").fetchone()
    reason = None
    if last is not None and last != computed:
        reason = con.execute(
            f"select min(not_computed_reason) from {view.table} "
            f"where {view.year_column} = ? and {view.extra_filter}", [last]).fetchone()[0]
    return last, computed, reason


def _rows(con: duckdb.DuckDBPyConnection, view: IndexView, year: int) -> list[tuple]:
    band = view.band_column or "cast(null as varchar)"
    return con.execute(f"""
        select rank, rank_of, province_name, {view.score_column}, {band}, rank_change,
            rank_change_beyond_noise, is_new_unit, comparable_rank_change, rank_best, rank_worst
        from {view.table}
        where {view.year_column} = ? and {view.extra_filter} and is_ranked
        order by rank, province_name
    """, [year]).fetchall()


def _table(view: IndexView, year: int, rows: list[tuple]) -> Table:
    table = Table(title=f"{view.title} {year}: {TOP} đầu, {BOTTOM} cuối")
    for header, justify in (("Hạng (KTC 95%)", "right"), ("Tỉnh, thành phố", "left"),
                            (view.score_label, "right"), ("Nhóm", "center"),
                            ("Thay đổi hạng", "right")):
        if header == "Nhóm" and view.band_column is None:
            continue
        table.add_column(header, justify=justify)
    shown = rows[:TOP] + (rows[-BOTTOM:] if len(rows) > TOP + BOTTOM else rows[TOP:])
    for i, (rank, of, name, score, band, change, noise, new, comparable, best, worst) in (
            enumerate(shown)):
        if i == TOP and len(rows) > TOP + BOTTOM:
            table.add_row(*["…"] * len(table.columns))
        cells = [rank_text(rank, of, best, worst), name, f"{score:.2f}"]
        if view.band_column is not None:
            cells.append(band or "")
        cells.append(rank_change_text(change, noise, bool(new), comparable))
        table.add_row(*cells)
    return table


def print_index_report(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    """Print the PAR INDEX and SIPAS summaries of the last round (read-only connection)."""
    for view in (PAR, SIPAS):
        if not _exists(con, view.table):
            console.print(f"[yellow]{view.title}: {view.table} not built yet[/yellow]")
            continue
        last, computed, reason = _status_of_last_round(con, view)
        if last is None:
            console.print(f"[yellow]{view.title}: no round in {view.table}[/yellow]")
            continue
        if reason is not None:
            console.print(f"[red]{view.title} {last}: not computed ({reason}); see the "
                          f"int_*__validation models[/red]")
        if computed is None:
            continue
        console.print(_table(view, computed, _rows(con, view, computed)))
    console.print("Hạng N/M (khoảng tin cậy 95% của hạng, bootstrap); * = thay đổi hạng vượt "
                  "sai số chọn mẫu; mới = đơn vị mới, so với số liệu gộp của các tỉnh tiền thân.")
