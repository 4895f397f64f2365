"""The stewards' report: one self-contained HTML page per run, in Vietnamese — each index and
period, what was checked, what failed, where and why, the evidence rows and a chart per flag,
with a link to the Data Docs."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from foundation.vietnamese import UNIT_TYPES_VI, period_label_vi
from quality import charts
from quality.catalog import INDICES, SEVERITIES_VI
from quality.results import Result, format_value
from quality.suites import Expectation, SuiteFile

VIETNAM = dt.timezone(dt.timedelta(hours=7))
STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:.25em .5em;
font-size:.85em;text-align:left;vertical-align:top}th{background:#f4f4f4}
.fail{color:#c0392b;font-weight:bold}.pass{color:#1e8449}.warn{color:#b9770e;font-weight:bold}
.flag{border:1px solid #e6b0aa;background:#fdf2f1;padding:.5em 1em;margin:1em 0}
.reason{color:#555;font-size:.85em}svg{max-width:100%;height:auto}code{font-size:.8em}
"""

log = logging.getLogger(__name__)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    names = dict(con.execute(
        "select province_key, province_name from marts.dim_province").fetchall())
    names.update(con.execute(
        "select agency_code, any_value(agency_name) from marts.dim_agency group by 1").fetchall())
    return names


def _period_label(result: Result) -> str:
    if result.period_start is None:
        return ""
    return period_label_vi(result.period_start, result.period_type)


def _evidence_rows(con: duckdb.DuckDBPyConnection, evidence: dict[str, Any]) -> tuple[list[str],
                                                                                    list[tuple]]:
    keys = evidence.get("keys", {})
    where = " and ".join(f"cast({k} as varchar) = ?" for k in keys)
    # a check over a whole table (no unit) shows its rows without a filter
    relation = con.execute(f"select * from ({evidence['query']}) as metric"
                           + (f" where {where}" if where else " limit 50"), list(keys.values()))
    return [d[0] for d in relation.description], relation.fetchall()


def _chart(con: duckdb.DuckDBPyConnection, kind: str | None, result: Result,
           evidence: dict[str, Any], row: dict[str, Any], cache: charts.ChartCache) -> str:
    keys = evidence.get("keys", {})
    try:
        if kind == "answer_distribution":
            return charts.answer_distribution(con, keys["survey_id"], result.unit_key or "",
                                              cache=cache)
        if kind == "interviewer_shares":
            return charts.interviewer_shares(con, keys["survey_id"], result.unit_key or "",
                                             cache=cache)
        if kind == "interviewer_means":
            return charts.interviewer_means(con, keys["survey_id"], result.unit_key or "",
                                            cache=cache)
        if kind == "interview_lengths":
            return charts.interview_lengths(con, keys["survey_id"], result.unit_key or "",
                                            cache=cache)
        if kind == "deadline_histogram" and result.period_start:
            return charts.deadline_histogram(con, result.unit_key or "",
                                             result.period_start.year, cache=cache)
        if kind == "daily_volume":
            return charts.daily_volume(con, result.unit_key or "", result.period_start,
                                       row.get("gap_from"), row.get("gap_to"), cache=cache)
        if kind == "self_reported":
            return charts.self_reported(con, result.unit_key or "", cache=cache)
    except duckdb.Error as exc:  # a chart never hides a flag
        return f"<p class='reason'>Không vẽ được biểu đồ: {_e(exc)}</p>"
    return ""


def _safe_chart(con: duckdb.DuckDBPyConnection, kind: str | None, result: Result,
                evidence: dict[str, Any], row: dict[str, Any], cache: charts.ChartCache) -> str:
    """A chart that cannot be drawn is said so on the page; it never stops the gate."""
    try:
        return _chart(con, kind, result, evidence, row, cache)
    except Exception as error:
        log.warning("chart %s for %s not drawn: %s", kind, result.unit_key, error)
        return f"<p class='reason'>Không vẽ được biểu đồ ({_e(type(error).__name__)}).</p>"


def _tested(result: Result, expectation: Expectation) -> str:
    if (expectation.column or "").endswith("_p_adjusted"):  # the survey checks' Holm p-value
        return "p (hiệu chỉnh Holm) " + format_value(result.tested_value, "p")
    return format_value(result.tested_value, "number")


def _expectations(files: list[SuiteFile]) -> dict[str, Expectation]:
    return {e.check: e for f in files for s in f.suites for e in s.expectations}


def write_report(con: duckdb.DuckDBPyConnection, run_id: str, run_at: dt.datetime,
                 results: list[Result], files: list[SuiteFile], data_docs: Path,
                 path: Path) -> Path:
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    expectations = _expectations(files)
    names = _names(con)
    docs_link = os.path.relpath(data_docs, directory)
    local = run_at.replace(tzinfo=dt.UTC).astimezone(VIETNAM)
    parts = [f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
             f"<title>Báo cáo chất lượng dữ liệu — {_e(run_id)}</title><style>{STYLE}</style>"
             "</head><body>",
             "<h1>Báo cáo chất lượng dữ liệu trước khi công bố</h1>",
             f"<p>Lượt kiểm tra <code>{_e(run_id)}</code>, lúc {local:%H:%M ngày %d/%m/%Y} "
             f"(giờ Việt Nam). Kết quả chi tiết từng kỳ vọng: "
             f"<a href='{_e(docs_link)}'>Great Expectations Data Docs</a>.</p>"]

    anomalies = [r for r in results if r.layer == "anomaly"]
    failed = [r for r in anomalies if not r.passed]
    withheld = {(r.index_code, r.unit_key, r.period_start) for r in failed if r.severity == "error"}
    parts.append(f"<p><b>{len(withheld)}</b> đơn vị–kỳ–chỉ số bị giữ lại (không xếp hạng) do "
                 f"cảnh báo mức lỗi; {sum(1 for r in failed if r.severity == 'warn')} cảnh báo "
                 "cần xem xét. Đơn vị bị giữ lại được công bố khi cán bộ phụ trách ra quyết định "
                 "phát hành (tệp YAML trong thư mục decisions).</p>")

    drawn: dict[tuple[Any, ...], str] = {}
    # the charts of the last report, kept beside the reports: most flags of a night were
    # there the night before, with the same rows
    cache = charts.ChartCache(directory / "charts")
    by_index: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for r in anomalies:
        by_index[(r.index_code or "", _period_label(r))].append(r)
    for (index_code, period), rows in sorted(by_index.items()):
        parts.append(f"<h2>{_e(INDICES.get(index_code, index_code))} — {_e(period)}</h2>")
        parts.append("<table><tr><th>Kiểm tra</th><th>Ngưỡng</th><th>Số đơn vị</th>"
                     "<th>Không đạt</th><th>Không đủ mẫu</th><th>Mức</th></tr>")
        per_check: dict[str, list[Result]] = defaultdict(list)
        for r in rows:
            per_check[r.check_name].append(r)
        for check, checked in sorted(per_check.items()):
            meta = expectations[check].meta
            bad = [r for r in checked if not r.passed]
            unjudged = sum(1 for r in checked if r.outcome == "insufficient_sample")
            cls = "pass" if not bad else ("fail" if meta["severity"] == "error" else "warn")
            why = meta.get("reason_vi", meta["reason"])
            parts.append(f"<tr><td>{_e(meta['label_vi'])} <code>{_e(check)}</code>"
                         f"<div class='reason'>{_e(why)}</div></td>"
                         f"<td>{_e(checked[0].threshold)}</td><td>{len(checked)}</td>"
                         f"<td class='{cls}'>{len(bad)}</td><td>{unjudged or ''}</td>"
                         f"<td>{_e(SEVERITIES_VI[meta['severity']])}</td></tr>")
        parts.append("</table>")
        for r in sorted((r for r in rows if not r.passed),
                        key=lambda r: (r.unit_key or "", r.check_name)):
            meta = expectations[r.check_name].meta
            evidence = json.loads(r.evidence)
            columns, evidence_rows = _evidence_rows(con, evidence)
            row = dict(zip(columns, evidence_rows[0], strict=True)) if evidence_rows else {}
            unit_name = names.get(r.unit_key or "", "")
            verdict = "bị giữ lại" if r.severity == "error" else "cảnh báo"
            parts.append(
                f"<div class='flag'><h3>{_e(UNIT_TYPES_VI.get(r.unit_type or '', ''))} "
                f"{_e(unit_name)} (<code>{_e(r.unit_key)}</code>) — {_e(_period_label(r))}: "
                f"<span class='{'fail' if r.severity == 'error' else 'warn'}'>{verdict}</span></h3>"
                f"<p>{_e(r.message_vi)}</p><p class='reason'>Kiểm tra <code>{_e(r.check_name)}"
                f"</code>: giá trị kiểm định {_e(_tested(r, expectations[r.check_name]))}, ngưỡng "
                f"{_e(r.threshold)}. {_e(meta.get('reason_vi', meta['reason']))}</p>")
            parts.append("<details><summary>Dòng bằng chứng</summary><table><tr>"
                         + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>")
            for values in evidence_rows:
                parts.append("<tr>" + "".join(
                    f"<td>{_e(round(v, 4) if isinstance(v, float) else v)}</td>" for v in values)
                    + "</tr>")
            parts.append(f"</table><p class='reason'>Truy vấn: <code>{_e(evidence['query'])}"
                         f"</code> với {_e(evidence.get('keys', {}))}</p></details>")
            chart_key = (meta.get("chart"), r.unit_key, r.period_start,
                         json.dumps(evidence.get("keys", {})))
            if chart_key not in drawn:  # one index's chart serves the other indices' flags
                # a table-wide check (no unit keys) has no per-unit chart to draw
                drawn[chart_key] = (_safe_chart(con, meta.get("chart"), r, evidence, row, cache)
                                    if evidence.get("keys") else "")
            parts.append(drawn[chart_key])
            parts.append("</div>")

    for layer, title in (("consistency", "Kiểm tra tính nhất quán (kho dữ liệu)"),
                         ("contract", "Kiểm tra hợp đồng dữ liệu (khi nạp)")):
        rows = [r for r in results if r.layer == layer]
        parts.append(f"<h2>{title}</h2><p>{len(rows)} kiểm tra, "
                     f"{sum(1 for r in rows if not r.passed)} không đạt.</p>")
        bad = [r for r in rows if not r.passed]
        if bad:
            parts.append("<table><tr><th>Kiểm tra</th><th>Mức</th><th>Chi tiết</th></tr>")
            for r in bad:
                parts.append(f"<tr><td><code>{_e(r.check_name)}</code></td>"
                             f"<td>{_e(SEVERITIES_VI[r.severity])}"
                             f"</td><td>{_e(r.message_vi)}</td></tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    cache.keep_only_used()
    log.info("report %s: %d charts shown, %d drawn, the rest as the last report drew them",
             path.name, len(cache.used), cache.drawn)
    return path
