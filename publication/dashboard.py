"""The dashboard published with each publication: one static HTML file, plotly.js embedded, so it
opens offline from a folder or an e-mail attachment with no server.

Each chart is drawn only when its table is in the publication (the published tables grow issue by
issue): a ranking per index table (any table with `unit_name`, `rank` and `units_ranked`), rank
changes, a province's monthly trend, the national on-time rate under both code systems, a
province's scorecard, and the withheld units with their reasons.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.offline

from foundation.vietnamese import (
    INDEX_NAMES_VI,
    PERIOD_TYPES_VI,
    UNIT_TYPES_VI,
    period_label_vi,
)
from publication.descriptions import header_vi

# the dossier indicators' published name, newest first (`dossier_indicators_monthly` is the
# name they were first published under, kept as an alias)
DOSSIER_TABLES = ("dossier_indicators", "dossier_indicators_monthly")
SCORE_COLUMNS = ("total_score_rounded", "score_rounded", "percent_of_max", "index_value",
                 "total_score", "score", "total_points")
PERIOD_COLUMNS = ("period_start", "year")
INDEX_TITLES = {
    "service_index_monthly": "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)",
    "sipas_index_yearly": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
    "par_index_yearly": "Chỉ số cải cách hành chính (PAR INDEX)",
    "par_internal_index_yearly": "Chỉ số cải cách hành chính nội bộ",
    "papi_index_yearly": "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
}
BAND_COLOURS = {"A": "#1a9850", "B": "#4575b4", "C": "#f39c12", "D": "#d73027"}
NO_BAND_COLOUR = "#999999"
CODE_SYSTEMS = {"gso63": "Mã 63 tỉnh (trước 01/07/2025)",
                "gso34": "Mã 34 tỉnh (từ 01/07/2025, kỳ cũ quy đổi)"}
# the code system a ranking shows when a period has both: the current one
PREFERRED_CODE_SYSTEM = "gso34"
@dataclass
class Section:
    title: str
    body: str


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("select table_name, column_name from information_schema.columns "
                       "where table_schema = 'main' order by table_name, ordinal_position"
                       ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _period_label(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value:%m/%Y}"
    return str(value)


# a withheld unit's or a decision's codes as people name them
CODE_NAMES = {"index_code": INDEX_NAMES_VI, "unit_type": UNIT_TYPES_VI,
              "period_type": PERIOD_TYPES_VI, "code_system": CODE_SYSTEMS}


def _cell(row: dict, column: str) -> str:
    """A withheld unit's or a decision's value as people write it: an index, a unit type, a
    period type or a code system by its name, its period as a period (tháng 02/2025, năm
    2025), a moment to the minute."""
    value = row[column]
    if value is None:
        return ""
    if column in CODE_NAMES:
        return CODE_NAMES[column].get(value, str(value))
    if column == "period_start":
        return period_label_vi(value, row.get("period_type"))
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    return str(value)


def _figure_html(fig: go.Figure, div_id: str, height: int, *, months: bool = False) -> str:
    fig.update_layout(height=height, separators=",.", margin={"l": 10, "r": 10, "t": 50, "b": 40},
                      font={"family": "Arial, 'Noto Sans', sans-serif"}, title_font_size=15,
                      legend={"orientation": "h", "y": -0.2})
    # months as 03/2025, not the English "Mar 2"
    if months:
        fig.update_xaxes(tickformat="%m/%Y", dtick="M1")
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       default_height=f"{height}px", config={"displayModeBar": False})


@dataclass
class Ranking:
    table: str
    title: str
    period_column: str
    score_column: str
    period: object
    code_system: str | None
    rows: list[dict]  # latest period, ranked units, best first
    previous_rank: dict[str, int]


def ranking_tables(columns: dict[str, list[str]]) -> list[str]:
    return [t for t, cols in columns.items()
            if {"unit_name", "rank", "units_ranked"} <= set(cols) and not t.startswith("_")]


def load_ranking(con: duckdb.DuckDBPyConnection, table: str, cols: list[str]) -> Ranking | None:
    period = next((c for c in PERIOD_COLUMNS if c in cols), None)
    score = next((c for c in SCORE_COLUMNS if c in cols), None)
    if period is None or score is None:
        return None
    filters = ["rank is not null"]
    if "rank_scope" in cols:
        filters.append("rank_scope = 'national'")
    where = " and ".join(filters)
    latest = con.execute(f"select max({period}) from {_quote(table)} where {where}").fetchone()[0]
    if latest is None:
        return None
    code_system = None
    if "code_system" in cols:
        systems = {r[0] for r in con.execute(
            f"select distinct code_system from {_quote(table)} where {where} and {period} = ?",
            [latest]).fetchall()}
        code_system = PREFERRED_CODE_SYSTEM if PREFERRED_CODE_SYSTEM in systems else min(systems)
        where += f" and code_system = '{code_system}'"
    rows = _records(con, f"select * from {_quote(table)} where {where} and {period} = ? "
                         "order by rank, unit_name", [latest])
    previous_rank: dict[str, int] = {}
    key = "unit_key" if "unit_key" in cols else "unit_name"
    if "rank_change" not in cols:
        before = con.execute(f"select max({period}) from {_quote(table)} "
                             f"where {where} and {period} < ?", [latest]).fetchone()[0]
        if before is not None:
            previous_rank = dict(con.execute(
                f"select {key}, rank from {_quote(table)} where {where} and {period} = ?",
                [before]).fetchall())
    return Ranking(table=table, title=INDEX_TITLES.get(table, table), period_column=period,
                   score_column=score, period=latest, code_system=code_system, rows=rows,
                   previous_rank=previous_rank)


def rank_change(ranking: Ranking, row: dict) -> int | None:
    """Places gained since the previous period (positive = up)."""
    if "rank_change" in row:
        return row["rank_change"]
    key = row.get("unit_key", row["unit_name"])
    before = ranking.previous_rank.get(key)
    return None if before is None else before - row["rank"]


def change_text(change: int | None) -> str:
    if change is None:
        return "mới"
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


def ranking_section(ranking: Ranking, n: int) -> Section:
    rows = ranking.rows
    bands = [r.get("band_code") for r in rows]
    fig = go.Figure(go.Bar(
        x=[float(r[ranking.score_column]) if r[ranking.score_column] is not None else 0
           for r in rows],
        y=[r["unit_name"] for r in rows],
        orientation="h",
        marker_color=[BAND_COLOURS.get(b or "", NO_BAND_COLOUR) for b in bands],
        text=[f"{r['rank']}/{r['units_ranked']}" for r in rows],
        textposition="outside",
        customdata=[[r["rank"], r["units_ranked"], r.get("band_code") or "–",
                     change_text(rank_change(ranking, r))] for r in rows],
        hovertemplate="%{y}: %{x}<br>hạng %{customdata[0]} trên %{customdata[1]}, "
                      "xếp loại %{customdata[2]}, %{customdata[3]}<extra></extra>",
    ))
    system = f", {CODE_SYSTEMS.get(ranking.code_system, ranking.code_system)}" if (
        ranking.code_system) else ""
    fig.update_layout(title=f"Xếp hạng kỳ {_period_label(ranking.period)}{system} "
                            f"(hạng N trên M đơn vị được xếp hạng; màu theo xếp loại)",
                      yaxis={"autorange": "reversed"}, xaxis={"title": "Điểm"})
    body = _figure_html(fig, f"ranking-{n}", max(300, 22 * len(rows) + 100))
    legend = " ".join(f'<span class="band" style="background:{c}">{b}</span>'
                      for b, c in BAND_COLOURS.items())
    changes = [(r["unit_name"], rank_change(ranking, r)) for r in rows]
    known = [(u, c) for u, c in changes if c is not None]
    if known:
        change_fig = go.Figure(go.Bar(
            x=[c for _, c in known], y=[u for u, _ in known], orientation="h",
            marker_color=["#1a9850" if c > 0 else "#d73027" if c < 0 else "#999999"
                          for _, c in known],
            text=[change_text(c) for _, c in known], textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        ))
        change_fig.update_layout(title="Thay đổi thứ hạng so với kỳ trước",
                                 yaxis={"autorange": "reversed"}, xaxis={"title": "Số bậc"})
        body += _figure_html(change_fig, f"rank-change-{n}", max(300, 22 * len(known) + 100))
    return Section(ranking.title, f"<p>Xếp loại: {legend}</p>{body}")


def dossier_table(columns: dict[str, list[str]]) -> str | None:
    return next((t for t in DOSSIER_TABLES if t in columns), None)


def national_on_time_section(con: duckdb.DuckDBPyConnection, dossiers: str) -> Section | None:
    rows = _records(con, f"select code_system, period_start, on_time_rate from {dossiers} "
                         "where unit_type = 'national' and period_type = 'month' "
                         "order by code_system, period_start")
    if not rows:
        return None
    fig = go.Figure()
    # the nation is the same dossiers under either system: where both exist the lines should
    # coincide, so the first is drawn wide and the second dashed on top of it
    styles = {"gso63": {"width": 7, "color": "#9ecae1"}, "gso34": {"width": 2, "dash": "dash",
                                                                 "color": "#d73027"}}
    for system, label in CODE_SYSTEMS.items():
        points = [r for r in rows if r["code_system"] == system]
        if points:
            fig.add_trace(go.Scatter(
                x=[r["period_start"] for r in points],
                y=[None if r["on_time_rate"] is None else float(r["on_time_rate"]) * 100
                   for r in points], mode="lines+markers", name=label, line=styles[system]))
    fig.update_layout(title="Tỷ lệ hồ sơ giải quyết đúng hạn toàn quốc theo tháng (%): "
                            "hai hệ mã trùng nhau ở các tháng có cả hai",
                      yaxis={"title": "%"}, xaxis={"title": "Tháng"})
    return Section("Toàn quốc: hồ sơ đúng hạn",
                   _figure_html(fig, "national-on-time", 420, months=True))


def province_trend_section(con: duckdb.DuckDBPyConnection, dossiers: str) -> Section | None:
    rows = _records(con, f"select unit_name, period_start, on_time_rate from {dossiers} "
                         "where unit_type = 'province' and period_type = 'month' "
                         f"and code_system = '{PREFERRED_CODE_SYSTEM}' "
                         "order by unit_name, period_start")
    if not rows:
        return None
    provinces = sorted({r["unit_name"] for r in rows})
    fig = go.Figure()
    for i, province in enumerate(provinces):
        points = [r for r in rows if r["unit_name"] == province]
        fig.add_trace(go.Scatter(
            x=[r["period_start"] for r in points],
            y=[None if r["on_time_rate"] is None else float(r["on_time_rate"]) * 100
               for r in points],
            mode="lines+markers", name=province, visible=i == 0))
    buttons = [{"label": p, "method": "update",
                "args": [{"visible": [j == i for j in range(len(provinces))]},
                         {"title": f"{p}: tỷ lệ hồ sơ đúng hạn theo tháng (%)"}]}
               for i, p in enumerate(provinces)]
    fig.update_layout(
        title=f"{provinces[0]}: tỷ lệ hồ sơ đúng hạn theo tháng (%)",
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 1, "xanchor": "right",
                      "y": 1.15, "yanchor": "top"}],
        yaxis={"title": "%"}, xaxis={"title": "Tháng"}, showlegend=False)
    return Section("Xu hướng của một tỉnh", _figure_html(fig, "province-trend", 440, months=True))


def scorecard_section(con: duckdb.DuckDBPyConnection, rankings: list[Ranking],
                      columns: dict[str, list[str]]) -> Section | None:
    """One card per province: its place in every index and its latest dossier indicators."""
    cards: dict[str, list[tuple[str, str]]] = {}
    for ranking in rankings:
        for r in ranking.rows:
            if r.get("unit_type", "province") != "province":
                continue
            score = r[ranking.score_column]
            points = "–" if score is None else f"{float(score):.2f}".replace(".", ",")
            cards.setdefault(r["unit_name"], []).append((
                f"{ranking.title}, kỳ {_period_label(ranking.period)}",
                f"{points} điểm, hạng {r['rank']}/{r['units_ranked']}, "
                f"xếp loại {r.get('band_code') or '–'}, {change_text(rank_change(ranking, r))}"))
    if "province_scorecard_yearly" in columns:
        # the published scorecard's sentences, the latest year of each index, as the press
        # writes them (withheld units say "không được xếp hạng" and why)
        for r in _records(con, "select province_name, index_name, year, sentence_vi "
                               "from province_scorecard_yearly as s where year = (select "
                               "max(year) from province_scorecard_yearly as l where "
                               "l.index_code = s.index_code) order by index_order"):
            cards.setdefault(r["province_name"], []).append(
                (f"{r['index_name']} {r['year']}", r["sentence_vi"]))
    dossiers = dossier_table(columns)
    if dossiers:
        latest = _records(con, f"select * from {dossiers} where unit_type = 'province' and "
                               f"period_type = 'month' and code_system = "
                               f"'{PREFERRED_CODE_SYSTEM}' and period_start = (select "
                               f"max(period_start) from {dossiers} where period_type = 'month')")
        labels = {"on_time_rate": "Tỷ lệ đúng hạn", "online_share": "Tỷ lệ nộp trực tuyến",
                  "digitisation_rate": "Tỷ lệ số hoá", "online_payment_rate":
                  "Tỷ lệ thanh toán trực tuyến"}
        for r in latest:
            for column, label in labels.items():
                if r.get(column) is not None:
                    cards.setdefault(r["unit_name"], []).append((
                        f"{label}, {period_label_vi(r['period_start'], 'month')}",
                        f"{float(r[column]) * 100:.1f}%".replace(".", ",")))
    if not cards:
        return None
    names = sorted(cards)
    options = "".join(f'<option value="{i}">{html.escape(n)}</option>'
                      for i, n in enumerate(names))
    blocks = []
    for i, name in enumerate(names):
        lines = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                        for k, v in cards[name])
        hidden = "" if i == 0 else ' hidden'
        blocks.append(f'<div class="card" id="card-{i}"{hidden}><h3>{html.escape(name)}</h3>'
                      f"<table>{lines}</table></div>")
    script = ("<script>document.getElementById('card-select').addEventListener('change',"
              "function(e){document.querySelectorAll('.card').forEach(function(c){c.hidden="
              "c.id!=='card-'+e.target.value;});});</script>")
    body = (f'<label for="card-select">Chọn tỉnh: </label><select id="card-select">{options}'
            f"</select>{''.join(blocks)}{script}")
    return Section("Bảng điểm của một tỉnh", body)


# the page prints a period as the period ("tháng 02/2025"), not as its first day, and an index
# by its name, not its code
SHOWN_HEADERS = {"period_start": "Kỳ", "index_code": "Chỉ số"}


def withheld_section(con: duckdb.DuckDBPyConnection,
                     columns: dict[str, list[str]]) -> Section | None:
    tables = [t for t in columns if "withheld" in t]
    if "_publication_decisions" in columns:
        tables.append("_publication_decisions")
    if not tables:
        return None
    parts = []
    for table in tables:
        rows = _records(con, f"select * from {_quote(table)}")
        heads = [c for c in columns[table] if not c.startswith("_")]
        labels = [SHOWN_HEADERS.get(c) or header_vi(c, None) for c in heads]
        head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
        cells = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(r, c))}</td>" for c in heads)
                        + "</tr>" for r in rows)
        if table == "_publication_decisions":
            title = "Quyết định của cán bộ phụ trách dữ liệu"
            empty = "Chưa có quyết định nào của cán bộ phụ trách dữ liệu."
        else:
            title, empty = "Đơn vị tạm dừng công bố", "Không có đơn vị nào bị tạm dừng công bố."
        parts.append(f"<h3>{title}</h3><table class='list'><tr>{head}</tr>{cells}</table>"
                     + ("" if rows else f"<p>{empty}</p>"))
    return Section("Đơn vị tạm dừng công bố và lý do", "".join(parts))


PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Arial, 'Noto Sans', sans-serif; margin: 1.5em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }}
h1 {{ font-size: 1.5em; }} h2 {{ border-bottom: 2px solid #4575b4; padding-bottom: .2em; }}
.meta {{ color: #555; }} .band {{ color: #fff; padding: 0 .5em; border-radius: 3px; }}
.stale {{ background: #fdecea; border-left: 5px solid #d73027; padding: .6em 1em; }}
table {{ border-collapse: collapse; margin: .5em 0; }}
th, td {{ border: 1px solid #ddd; padding: .25em .6em; text-align: left; }}
</style>
<script>{plotly}</script>
</head><body>
<h1>{title}</h1>
<p class="meta">Lần công bố {name} · thời điểm {published_at} (giờ Việt Nam) · mã nguồn
{version}. Số liệu chỉ gồm các đơn vị và kỳ đã qua kiểm tra chất lượng.</p>
<p id="stale" class="stale"{stale_hidden}><strong>Số liệu có thể đã cũ.</strong> {stale_text}</p>
<script>
// opened after its deadline, with no newer publication in hand: say so too
const staleSince = "{stale_since}";
if (staleSince && Date.now() > Date.parse(staleSince)) {{
  document.getElementById("stale").hidden = false;
}}
</script>
{sections}
<script id="publication" type="application/json">{meta}</script>
</body></html>
"""


def _stale_banner(meta: dict) -> dict[str, str]:
    """The warning shown when the indicators are stale at publication (or become so before a
    newer publication replaces this one: the page checks the clock when it is opened)."""
    loaded, days = meta["data_loaded_through"], meta["stale_after_days"]
    if loaded is None:
        text = "Chưa có tệp đầu vào nào mang dữ liệu mới được nạp."
    else:
        text = (f"Không có dữ liệu mới nào được nạp kể từ {loaded:%d/%m/%Y %H:%M} "
                f"(quá {days:g} ngày thì số liệu được coi là cũ).")
    since = meta["stale_since"]
    return {"stale_hidden": "" if meta["is_stale"] else " hidden",
            "stale_text": html.escape(text),
            "stale_since": f"{since:%Y-%m-%dT%H:%M:%S}+07:00" if since is not None else ""}


def write_dashboard(published_file: Path, target: Path) -> Path:
    """Write the dashboard of a publication file into `target` (an .html path)."""
    with duckdb.connect(str(published_file), read_only=True) as con:
        columns = _columns(con)
        meta = _records(con, "select run_id, published_at, code_version, name, "
                             "data_loaded_through, stale_after_days, stale_since, is_stale "
                             "from _publication")[0]
        rankings = [r for t in ranking_tables(columns)
                    if (r := load_ranking(con, t, columns[t])) is not None]
        sections: list[Section | None] = [ranking_section(r, i) for i, r in enumerate(rankings)]
        dossiers = dossier_table(columns)
        if dossiers:
            sections += [province_trend_section(con, dossiers),
                         national_on_time_section(con, dossiers)]
        sections += [scorecard_section(con, rankings, columns), withheld_section(con, columns)]
    body = "".join(f"<section><h2>{html.escape(s.title)}</h2>{s.body}</section>"
                   for s in sections if s is not None) or "<p>Chưa có bảng nào được công bố.</p>"
    page = PAGE.format(
        title="Chỉ số cải cách hành chính: số liệu công bố", name=html.escape(meta["name"]),
        published_at=f"{meta['published_at']:%d/%m/%Y %H:%M}",
        version=html.escape(meta["code_version"]), plotly=plotly.offline.get_plotlyjs(),
        sections=body, **_stale_banner(meta),
        meta=json.dumps({k: str(v) for k, v in meta.items()}, ensure_ascii=False),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
