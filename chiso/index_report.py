"""The end-of-run index summary: top ten and bottom five of the PAR INDEX, SIPAS and PAPI for the
last round, with rank changes and their 95% intervals, province names as published; then the
province scorecards the seeds quote ("Năm 2022, Thái Bình xếp thứ 13/63 về SIPAS, tăng 27 bậc;
…"), read from the published scorecard. Each index is read from its published table (ranked
among the units the quality gate released) when the run built it, else from its mart."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
from rich.console import Console
from rich.table import Table

TOP, BOTTOM = 10, 5


@dataclass(frozen=True)
class IndexView:
    """How one index table reads (the same name in `published` and `marts`): its year column,
    score column and filter."""

    title: str
    name: str
    year_column: str
    score_column: str
    score_label: str
    extra_filter: str = "true"
    band_column: str | None = None
    decimals: int = 2
    table: str = ""  # the schema-qualified table found at run time


PAR = IndexView("Chỉ số CCHC (PAR INDEX)", "par_index_yearly", "year",
                "pct_of_max_published", "% điểm tối đa", band_column="band")
SIPAS = IndexView("Chỉ số hài lòng (SIPAS)", "sipas_index_yearly", "survey_year",
                  "index_pct_published", "% hài lòng", extra_filter="element_code = 'overall'")
PAPI = IndexView("Chỉ số PAPI", "papi_index_yearly", "survey_year", "score_published",
                 "điểm /80", extra_filter="component_code = 'total'",
                 band_column="rank_group_name", decimals=4)
SCORECARD = "published.province_scorecard_yearly"
# the province-years the seeds quote (SPEC 7): Báo Thái Bình 11/2023, Báo Nam Định 04/2025
SEED_SCORECARDS = (("Thái Bình", 2022), ("Nam Định", 2024))


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name]).fetchone()[0] > 0


def _columns(con: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    schema, name = qualified.split(".")
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?", [schema, name]).fetchall()}


def _located(con: duckdb.DuckDBPyConnection, view: IndexView) -> IndexView | None:
    """The view on its published table when the run built one, else on its mart."""
    for schema in ("published", "marts"):
        if _exists(con, f"{schema}.{view.name}"):
            return replace(view, table=f"{schema}.{view.name}")
    return None


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
        # the published PAPI table says why in status_reason, the marts in not_computed_reason
        column = ("not_computed_reason" if "not_computed_reason" in _columns(con, view.table)
                  else "status_reason")
        reason = con.execute(
            f"select min({column}) from {view.table} "
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
        cells = [rank_text(rank, of, best, worst), name, f"{score:.{view.decimals}f}"]
        if view.band_column is not None:
            cells.append(band or "")
        cells.append(rank_change_text(change, noise, bool(new), comparable))
        table.add_row(*cells)
    return table


def print_index_report(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    """Print the PAR INDEX, SIPAS and PAPI summaries of the last round and the seeds' province
    scorecards (read-only connection)."""
    for unlocated in (PAR, SIPAS, PAPI):
        view = _located(con, unlocated)
        if view is None:
            console.print(f"[yellow]{unlocated.title}: {unlocated.name} not built yet[/yellow]")
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
    print_scorecards(con, console)


# --- the province scorecard, as the press quotes it -------------------------------------------


@dataclass(frozen=True)
class ScorecardRow:
    index_short_name: str
    status: str
    score: float | None
    score_unit: str
    rank: int | None
    rank_of: int | None
    rank_change: int | None
    is_new_unit: bool
    comparable_rank_change: int | None
    status_reason: str | None
    units_not_scored_note: str | None
    sentence_vi: str


def vi_number(value: float, decimals: int = 2) -> str:
    """44.35 -> "44,35", 86.60 -> "86,6", 90.00 -> "90" (the press's decimal comma)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _change(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return ", giữ nguyên thứ hạng"
    return f", {'tăng' if change > 0 else 'giảm'} {abs(change)} bậc"


def headline(province: str, year: int, rows: list[ScorecardRow]) -> str:
    """"Năm 2022, Thái Bình xếp thứ 13/63 về SIPAS, tăng 27 bậc; PAR INDEX thứ 43/63, tăng 7
    bậc; PCI thứ 28/63, tăng 19 bậc", from the scorecard's numbers, indices in their order."""
    parts = []
    for row in rows:
        if row.status != "scored" or row.rank is None:
            reason = (row.status_reason or "").removeprefix("không xếp hạng: ").split(" — ")[0]
            parts.append(f"{row.index_short_name} không xếp hạng"
                         + (f" ({reason})" if reason else ""))
            continue
        change = (_change(row.comparable_rank_change) + " so với số liệu gộp"
                  if row.is_new_unit and row.comparable_rank_change is not None
                  else ", đơn vị mới" if row.is_new_unit else _change(row.rank_change))
        place = f"{row.rank}/{row.rank_of}"
        parts.append(f"xếp thứ {place} về {row.index_short_name}{change}" if not parts
                     else f"{row.index_short_name} thứ {place}{change}")
    return f"Năm {year}, {province} " + "; ".join(parts)


def score_line(year: int, row: ScorecardRow) -> str:
    """"PAPI 2024 đạt 44,35 điểm, xếp thứ 20/61 (hai tỉnh … không đưa số liệu vào báo cáo do dữ
    liệu bị nhiễu)"."""
    unit = "%" if row.score_unit == "%" else f" {row.score_unit}"
    note = f" ({row.units_not_scored_note})" if row.units_not_scored_note else ""
    return (f"{row.index_short_name} {year} đạt {vi_number(row.score or 0.0)}{unit}, "
            f"xếp thứ {row.rank}/{row.rank_of}{note}")


def print_scorecards(con: duckdb.DuckDBPyConnection, console: Console,
                     quoted: tuple[tuple[str, int], ...] = SEED_SCORECARDS) -> None:
    """The seeds' province-years as the press quotes them, from the published scorecard."""
    if not _exists(con, SCORECARD):
        console.print(f"[yellow]{SCORECARD} not built yet: no scorecard[/yellow]")
        return
    fields = ", ".join(ScorecardRow.__dataclass_fields__)
    for province, year in quoted:
        rows = [ScorecardRow(*r) for r in con.execute(
            f"select {fields} from {SCORECARD} where short_name = ? and year = ? "
            f"order by index_order", [province, year]).fetchall()]
        if not rows:
            console.print(f"[yellow]{province} {year}: not in the scorecard[/yellow]")
            continue
        console.print(f"[bold]{headline(province, year, rows)}[/bold]")
        for row in rows:
            if row.index_short_name == "PAPI" and row.status == "scored":
                console.print(f"  {score_line(year, row)}")
            console.print(f"  {row.sentence_vi}")
