"""One chart per flag, as inline SVG (matplotlib, readable offline). Each reads only the few
aggregated rows it draws, and draws them only if no earlier report drew the same chart
(`ChartCache`)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none",
                     "svg.hashsalt": "chiso"})  # fixed ids: same inputs, same bytes
UNIT = "#c0392b"
NATION = "#7f8c8d"


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


# what a chart looks like besides its rows: this module's code (styles, labels) and matplotlib
_CODE = hashlib.sha256(Path(__file__).read_bytes()
                       + matplotlib.__version__.encode()).hexdigest()


class ChartCache:
    """The SVGs of the last report, by what they show: a chart whose kind, rows and labels did
    not change since then is read back instead of drawn again (about 0.15 s a chart; a night's
    report shows some twenty, most of them the same flags as the night before). Holds exactly
    the charts of the last report that used it (`keep_only_used`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.drawn = 0

    def svg(self, key: tuple[Any, ...], draw: Callable[[], Any]) -> str:
        name = hashlib.sha256(f"{_CODE}{key!r}".encode()).hexdigest() + ".svg"
        self.used.add(name)
        path = self.folder / name
        if path.exists():
            return path.read_text(encoding="utf-8")
        text = _svg(draw())
        self.drawn += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)  # a reader never sees half a chart
        return text

    def keep_only_used(self) -> None:
        for path in self.folder.glob("*.svg") if self.folder.exists() else []:
            if path.name not in self.used:
                path.unlink(missing_ok=True)


def _drawn(cache: ChartCache | None, key: tuple[Any, ...], draw: Callable[[], Any]) -> str:
    """`draw()` returns the figure; `key` is everything it shows (the chart's kind, its
    arguments and the rows it read)."""
    return cache.svg(key, draw) if cache is not None else _svg(draw())


def _unit_beside_nation(rows: list[Any], width: float, unit_key: str, xlabel: str,
                        ylabel: str, title: str) -> Any:
    """The unit's share (its colour) beside the nation's (grey) at each x; `rows` are (x, unit
    share, national share), shares as fractions."""
    fig, ax = plt.subplots(figsize=(5.2, 2.6))
    ax.bar([r[0] - width / 2 for r in rows], [100 * (r[1] or 0) for r in rows], width,
           color=UNIT, label=unit_key)
    ax.bar([r[0] + width / 2 for r in rows], [100 * r[2] for r in rows], width, color=NATION,
           label="cả nước")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig


def answer_distribution(con: duckdb.DuckDBPyConnection, survey_id: str, unit_key: str,
                        cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        select answer,
            count(*) filter (where province_key = ?) * 1e0
                / nullif(sum(count(*) filter (where province_key = ?)) over (), 0) as unit_share,
            count(*) * 1e0 / sum(count(*)) over () as national_share
        from intermediate.int_quality__survey_answers
        where survey_id = ?
        group by answer order by answer""", [unit_key, unit_key, survey_id]).fetchall()

    def draw() -> Any:
        return _unit_beside_nation(
            rows, 0.4, unit_key, "mức trả lời", "% câu trả lời",
            f"Phân bố câu trả lời {survey_id}: {unit_key} so với cả nước")

    return _drawn(cache, ("answer_distribution", survey_id, unit_key, rows), draw)


def interviewer_shares(con: duckdb.DuckDBPyConnection, survey_id: str, unit_key: str,
                       cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        select interviewer_id, count(*) * 1e0 / sum(count(*)) over () as share
        from intermediate.int_quality__survey_respondents
        where survey_id = ? and province_key = ? and interviewer_id is not null
        group by 1 order by 2 desc, 1""", [survey_id, unit_key]).fetchall()

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(5.2, 2.6))
        ax.bar([r[0] for r in rows], [100 * r[1] for r in rows], color=UNIT)
        ax.set_ylabel("% số phỏng vấn")
        ax.set_title(f"Tỷ trọng phỏng vấn theo điều tra viên — {unit_key}")
        ax.tick_params(axis="x", rotation=60)
        return fig

    return _drawn(cache, ("interviewer_shares", survey_id, unit_key, rows), draw)


def interviewer_means(con: duckdb.DuckDBPyConnection, survey_id: str, unit_key: str,
                      cache: ChartCache | None = None) -> str:
    """Each interviewer's respondents' mean answer (with its ±2 standard errors), beside the
    range of the provinces' means: interviewers of one province should agree far better."""
    rows = con.execute("""
        select interviewer_id, avg(mean_answer), stddev_samp(mean_answer) / sqrt(count(*)),
            count(*)
        from intermediate.int_quality__survey_respondents
        where survey_id = ? and province_key = ? and interviewer_id is not null
        group by 1 order by 1""", [survey_id, unit_key]).fetchall()
    spread = con.execute("""
        select quantile_cont(mean_answer, 0.1), quantile_cont(mean_answer, 0.9)
        from (select avg(mean_answer) as mean_answer
              from intermediate.int_quality__survey_respondents
              where survey_id = ? group by province_key)""", [survey_id]).fetchone()

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(5.2, 2.6))
        if spread and spread[0] is not None:
            ax.axhspan(spread[0], spread[1], color=NATION, alpha=0.25,
                       label="10–90% các tỉnh (trung bình tỉnh)")
        ax.errorbar([r[0] for r in rows], [r[1] for r in rows],
                    yerr=[2 * (r[2] or 0) for r in rows], fmt="o", color=UNIT,
                    label="trung bình theo điều tra viên (±2 sai số)")
        ax.set_ylabel("điểm trả lời trung bình")
        ax.set_title(f"Câu trả lời theo điều tra viên — {unit_key}")
        ax.tick_params(axis="x", rotation=60)
        ax.legend(fontsize=7)
        return fig

    return _drawn(cache, ("interviewer_means", survey_id, unit_key, rows, spread), draw)


def interview_lengths(con: duckdb.DuckDBPyConnection, survey_id: str, unit_key: str,
                      cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        select least(floor(interview_seconds / 120e0), 25) * 2 as minutes,
            count(*) filter (where province_key = ?) * 1e0
                / nullif(sum(count(*) filter (where province_key = ?)) over (), 0),
            count(*) * 1e0 / sum(count(*)) over ()
        from intermediate.int_quality__survey_respondents
        where survey_id = ? and interview_seconds is not null
        group by 1 order by 1""", [unit_key, unit_key, survey_id]).fetchall()

    def draw() -> Any:
        return _unit_beside_nation(
            rows, 0.9, unit_key, "thời lượng phỏng vấn (phút, nhóm 2 phút; 50 = từ 50 trở lên)",
            "% phỏng vấn", f"Thời lượng phỏng vấn — {unit_key}")

    return _drawn(cache, ("interview_lengths", survey_id, unit_key, rows), draw)


def deadline_histogram(con: duckdb.DuckDBPyConnection, unit_key: str, year: int,
                       cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        with distances as (
            select agency_code,
                date_diff('second', due_at, effective_ended_at) / 3600e0 as hours
            from intermediate.int_dossier__lifecycle
            where effective_ended_at is not null and due_at is not null
                and year(processing_ended_at) = ?)
        select ceil(hours) as hour_bin,
            count(*) filter (where agency_code = ?) * 1e0
                / nullif(sum(count(*) filter (where agency_code = ?)) over (), 0),
            count(*) * 1e0 / sum(count(*)) over ()
        from distances where hours > -24 and hours <= 24
        group by 1 order by 1""", [year, unit_key, unit_key]).fetchall()

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(5.6, 2.6))
        ax.axvspan(-1, 0, color="#f5b7b1", label="giờ sát hạn (bó)")
        ax.step([r[0] for r in rows], [100 * (r[1] or 0) for r in rows], where="pre", color=UNIT,
                label=unit_key)
        ax.step([r[0] for r in rows], [100 * r[2] for r in rows], where="pre", color=NATION,
                label="cả nước")
        ax.set_xlabel("kết thúc − hạn trả (giờ, đã trừ thời gian chờ bổ sung)")
        ax.set_ylabel("% hồ sơ trong ±24 giờ")
        ax.set_title(f"Phân bố kết thúc quanh hạn trả — {unit_key}, {year}")
        ax.legend(fontsize=7)
        return fig

    return _drawn(cache, ("deadline_histogram", unit_key, year, rows), draw)


def daily_volume(con: duckdb.DuckDBPyConnection, unit_key: str, month_start: Any,
                 gap_from: Any, gap_to: Any,
                 cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        select calendar_date, dossiers, is_working_day
        from intermediate.int_quality__dossier_daily_volumes
        where province_key = ?
            and calendar_date between cast(? as date) - interval 30 day
                and cast(? as date) + interval 60 day
        order by 1""", [unit_key, month_start, month_start]).fetchall()

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(6.0, 2.6))
        ax.bar([r[0] for r in rows], [r[1] for r in rows],
               color=[UNIT if r[2] else NATION for r in rows], width=0.9)
        if gap_from is not None:
            ax.axvspan(gap_from, gap_to, color="#f5b7b1", alpha=0.6, label="không có hồ sơ")
            ax.legend(fontsize=7)
        ax.set_ylabel("hồ sơ nộp mỗi ngày")
        ax.set_title(f"Số hồ sơ theo ngày — {unit_key} (xám: ngày nghỉ)")
        fig.autofmt_xdate()
        return fig

    return _drawn(cache, ("daily_volume", unit_key, month_start, gap_from, gap_to, rows), draw)


def self_reported(con: duckdb.DuckDBPyConnection, unit_key: str,
                  cache: ChartCache | None = None) -> str:
    rows = con.execute("""
        select period_start, on_time_rate_reported_pct, on_time_rate_log_pct,
            on_time_rate_log_upper_pct
        from marts.quality_self_reported_rates where unit_key = ? order by 1""",
                       [unit_key]).fetchall()

    def draw() -> Any:
        fig, ax = plt.subplots(figsize=(5.6, 2.6))
        months = [r[0] for r in rows]

        def values(i: int) -> list[float]:  # a month without dossiers has no rate: a gap, not 0
            return [float("nan") if r[i] is None else float(r[i]) for r in rows]

        ax.plot(months, values(1), marker="o", color=UNIT, label="tự báo cáo")
        ax.plot(months, values(2), marker="s", color=NATION, label="tính từ nhật ký")
        ax.fill_between(months, values(2), values(3), color=NATION, alpha=0.2,
                        label="khoảng tin cậy 99,9% (Wilson)")
        ax.set_ylabel("tỷ lệ đúng hạn (%)")
        ax.set_title(f"Tỷ lệ đúng hạn tự báo cáo và tính từ nhật ký — {unit_key}")
        ax.legend(fontsize=7)
        fig.autofmt_xdate()
        return fig

    return _drawn(cache, ("self_reported", unit_key, rows), draw)
