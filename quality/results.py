"""One results table, `quality.quality_results`: every check on every unit and period, passed or
not, with the observed value, the threshold and a pointer to the evidence rows."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from quality.suites import Expectation
from quality.validate import Outcome

RESULTS_TABLE = "quality.quality_results"
RESULTS_DDL = f"""
create table if not exists {RESULTS_TABLE} (
    run_id varchar not null,
    run_at timestamp not null,
    check_name varchar not null,
    layer varchar not null,
    index_code varchar,
    unit_type varchar,
    unit_key varchar,
    code_system varchar,
    period_type varchar,
    period_start date,
    observed_value double,
    reference_value double,
    tested_value double,
    threshold varchar not null,
    severity varchar not null,
    passed boolean not null,
    message_vi varchar,
    evidence varchar not null,
    outcome varchar
)
"""
# warehouses written before the column existed get it on their next run
RESULTS_MIGRATIONS = (f"alter table {RESULTS_TABLE} add column if not exists outcome varchar",)
# a check passed, failed, or could not judge the unit (too few respondents): never a flag
OUTCOMES = ("passed", "failed", "insufficient_sample")
ARROW_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("run_at", pa.timestamp("s")), ("check_name", pa.string()),
    ("layer", pa.string()), ("index_code", pa.string()), ("unit_type", pa.string()),
    ("unit_key", pa.string()), ("code_system", pa.string()), ("period_type", pa.string()),
    ("period_start", pa.date32()), ("observed_value", pa.float64()),
    ("reference_value", pa.float64()), ("tested_value", pa.float64()), ("threshold", pa.string()),
    ("severity", pa.string()), ("passed", pa.bool_()), ("message_vi", pa.string()),
    ("evidence", pa.string()), ("outcome", pa.string()),
])
COLUMNS = ("run_id", "run_at", "check_name", "layer", "index_code", "unit_type", "unit_key",
           "code_system", "period_type", "period_start", "observed_value", "reference_value",
           "tested_value", "threshold", "severity", "passed", "message_vi", "evidence", "outcome")


@dataclass(frozen=True)
class Result:
    check_name: str
    layer: str
    threshold: str
    severity: str
    passed: bool
    evidence: str
    index_code: str | None = None
    unit_type: str | None = None
    unit_key: str | None = None
    code_system: str | None = None
    period_type: str | None = None
    period_start: dt.date | None = None
    observed_value: float | None = None
    reference_value: float | None = None
    tested_value: float | None = None
    message_vi: str | None = None
    outcome: str = ""

    def __post_init__(self) -> None:
        if not self.outcome:  # passed or failed unless the check said it could not judge
            object.__setattr__(self, "outcome", "passed" if self.passed else "failed")


@dataclass(frozen=True)
class CheckOutcome:
    """One check as Dagster asset checks want it: `dg.AssetCheckResult(check_name=name,
    passed=passed, severity=ERROR if severity == 'error' else WARN, metadata=metadata)`."""

    name: str
    passed: bool
    severity: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def format_value(value: float | None, kind: str) -> str:
    """A value as a steward reads it, Vietnamese style (decimal comma)."""
    if value is None:
        return "không có"
    if kind == "share":
        text = f"{100 * value:.0f}%" if abs(value) >= 0.1 else f"{100 * value:.1f}%"
    elif kind == "percent":
        text = f"{value:.2f}%"
    elif kind == "points":
        text = f"{value:.1f} điểm %"
    elif kind == "days":
        text = f"{value:.0f} ngày"
    elif kind == "p":
        text = "< 0.0001" if value < 0.0001 else f"{value:.4f}"
    elif kind == "count":
        text = f"{value:.0f}" if value == round(value) else f"{value:.2g}"
    else:
        text = f"{value:.2f}"
    return text.replace(".", ",")


def message(expectation: Expectation, observed: float | None, reference: float | None,
            row: dict[str, Any]) -> str:
    meta = expectation.meta
    kind = meta.get("value_format", "number")
    label = meta.get("reference_label_vi", "cả nước")
    text = f"{meta.get('category_vi', 'dữ liệu không đạt')} — {meta['label_vi']} "
    text += format_value(observed, kind)
    if meta["check"] == "dossier_sync_gap" and row.get("gap_from"):
        text += (f" liền ({row['gap_from']:%d/%m}–{row['gap_to']:%d/%m/%Y}), "
                 f"bình thường ~{reference or 0:.0f} hồ sơ")
    elif meta["check"] == "survey_dominant_interviewer" and row.get("top_interviewer_id"):
        text += f" ({row['top_interviewer_id']}) so với {format_value(reference, kind)} {label}"
    elif meta["check"] == "survey_interviewer_variance" and row.get("distant_interviewer_id"):
        text += (f" điểm ({row['distant_interviewer_id']} so với các điều tra viên khác), "
                 f"độ chênh {format_value(reference, kind)} {label}")
    elif meta["check"] == "survey_margin_of_error":
        text += f" (ngưỡng {expectation.kwargs.get('max_value')} điểm %)"
    elif reference is not None:
        text += f" so với {format_value(reference, kind)} {label}"
        if meta["check"] == "dossier_self_report_mismatch":
            text = text.replace(f" {label}", " theo nhật ký hồ sơ")
        if meta["check"] == "survey_near_duplicates" and row.get("near_duplicate_threshold"):
            text += (f" (ngưỡng {format_value(row['near_duplicate_threshold'], 'share')} câu "
                     "trả lời giống nhau)")
    return text


def insufficient_message(meta: dict[str, Any], row: dict[str, Any]) -> str:
    sample = row.get(meta.get("sample_column") or "")
    size = f" ({sample} người trả lời)" if sample is not None else ""
    return f"không đủ mẫu để đánh giá{size}: {meta['label_vi']}"


def anomaly_results(con: duckdb.DuckDBPyConnection, outcome: Outcome) -> list[Result]:
    """Every row of the suite's metric table judged by one expectation: failed where GX listed
    the row among the unexpected ones."""
    suite, expectation = outcome.suite, outcome.expectation
    failed = {tuple(str(k[c]) for c in suite.row_key) for k in outcome.unexpected_keys}
    relation = con.sql(suite.query)
    names = relation.columns
    meta = expectation.meta
    out = []
    for values in relation.fetchall():
        row = dict(zip(names, values, strict=True))
        key = tuple(str(row[c]) for c in suite.row_key)
        indices = [row[suite.index_column]] if suite.index_column else list(suite.indices)
        observed = _number(row.get(meta.get("observed_column") or expectation.column))
        reference_column = meta.get("reference_column")
        reference = _number(row.get(reference_column)) if reference_column else None
        passed = key not in failed
        tested = _number(row.get(expectation.column))
        # a metric left empty because the unit is too small to judge: said so, never a flag
        insufficient = (passed and tested is None
                        and meta.get("null_means") == "insufficient_sample")
        evidence = json.dumps({
            "query": suite.query, "keys": {c: str(row[c]) for c in suite.row_key},
            "column": expectation.column}, ensure_ascii=False)
        for index_code in indices:
            out.append(Result(
                check_name=expectation.check, layer="anomaly", threshold=expectation.threshold_text,
                severity=expectation.severity, passed=passed, evidence=evidence,
                index_code=index_code, unit_type=row.get("unit_type"), unit_key=row.get("unit_key"),
                code_system=row.get("code_system"), period_type=row.get("period_type"),
                period_start=row.get("period_start"), observed_value=observed,
                reference_value=reference, tested_value=tested,
                message_vi=insufficient_message(meta, row) if insufficient else
                None if passed else message(expectation, observed, reference, row),
                outcome="insufficient_sample" if insufficient else ""))
    return out


def table_results(outcome: Outcome) -> list[Result]:
    """A consistency expectation concerns a whole table, not a unit."""
    expectation = outcome.expectation
    passed = outcome.success and outcome.error is None
    text = None
    if not passed:
        text = (f"{expectation.meta['label_vi']}: {outcome.unexpected_count or 0} dòng "
                f"({(outcome.unexpected_percent or 0):.2f}%)")
        if outcome.error:
            text += f" — lỗi kiểm tra: {outcome.error[:200]}"
    return [Result(
        check_name=expectation.check, layer=outcome.suite.layer,
        threshold=expectation.threshold_text, severity=expectation.severity, passed=passed,
        evidence=json.dumps({"query": outcome.suite.query, "expectation": expectation.type,
                             "kwargs": expectation.kwargs}, ensure_ascii=False),
        observed_value=_number(outcome.unexpected_percent),
        tested_value=_number(outcome.unexpected_count), message_vi=text)]


# what the contract layer reads of ingestion's record
CONTRACT_QUERY = """
    select m.source_file, m.family, m.rows_in, m.rows_loaded, m.rows_quarantined,
        string_agg(distinct q.reason, '; ' order by q.reason) as reasons
    from raw.load_manifest as m
    left join raw.quarantine as q on q.file_sha256 = m.file_sha256
    group by all order by m.source_file"""


def contract_results(con: duckdb.DuckDBPyConnection) -> list[Result]:
    """The contract layer as ingestion left it: per file, rows in = loaded + quarantined (an
    error if not), and the quarantined share with its reasons (a warning above 1%)."""
    rows = con.execute(CONTRACT_QUERY).fetchall()
    out = []
    for source_file, family, rows_in, loaded, quarantined, reasons in rows:
        rows_in, loaded, quarantined = rows_in or 0, loaded or 0, quarantined or 0
        evidence = json.dumps({"table": "raw.quarantine", "keys": {"source_file": source_file}},
                              ensure_ascii=False)
        accounted = rows_in == loaded + quarantined
        out.append(Result(
            check_name="contract_rows_accounted", layer="contract",
            threshold="rows_in = rows_loaded + rows_quarantined", severity="error",
            passed=accounted, evidence=evidence, observed_value=float(rows_in),
            reference_value=float(loaded + quarantined),
            message_vi=None if accounted else
            f"tệp {source_file}: {rows_in} dòng vào, {loaded + quarantined} dòng được ghi nhận"))
        share = quarantined / rows_in if rows_in else 0.0
        out.append(Result(
            check_name="contract_quarantine_share", layer="contract", threshold="≤ 1% số dòng",
            severity="warn", passed=share <= 0.01, evidence=evidence, observed_value=share,
            tested_value=float(quarantined),
            message_vi=None if share <= 0.01 else
            f"tệp {source_file} ({family}): {quarantined} dòng bị cách ly ({share:.1%}): "
            f"{reasons}"))
    return out


def write_results(con: duckdb.DuckDBPyConnection, run_id: str, run_at: dt.datetime,
                  results: list[Result]) -> None:
    con.execute("create schema if not exists quality")
    con.execute(RESULTS_DDL)
    for migration in RESULTS_MIGRATIONS:
        con.execute(migration)
    con.execute(f"delete from {RESULTS_TABLE} where run_id = ?", [run_id])
    if not results:
        return
    # one Arrow batch: row-by-row inserts cost seconds per thousand rows
    columns = {"run_id": [run_id] * len(results), "run_at": [run_at] * len(results)}
    for name in COLUMNS[2:]:
        columns[name] = [getattr(r, name) for r in results]
    batch = pa.table(columns, schema=ARROW_SCHEMA)  # noqa: F841 - read by name below
    con.execute(f"insert into {RESULTS_TABLE} ({', '.join(COLUMNS)}) "
                f"select {', '.join(COLUMNS)} from batch")


def check_outcomes(results: list[Result], listed_units: int = 50) -> list[CheckOutcome]:
    """One outcome per check, failed when any unit or table failed it: what the Dagster asset
    checks report (severity, the units that failed and are withheld, those too small to
    judge)."""
    by_check: dict[str, list[Result]] = {}
    for r in results:
        by_check.setdefault(r.check_name, []).append(r)
    out = []
    for name, rows in sorted(by_check.items()):
        failed = [r for r in rows if not r.passed]
        units = sorted({f"{r.unit_key} {r.period_start:%Y-%m}" for r in failed
                        if r.unit_key and r.period_start})
        withheld = {(r.index_code, r.unit_key, r.period_start) for r in failed
                    if r.unit_key and r.severity == "error"}
        more = f" … (+{len(units) - listed_units})" if len(units) > listed_units else ""
        out.append(CheckOutcome(
            name=name, passed=not failed, severity=rows[0].severity,
            metadata={"layer": rows[0].layer, "rows_checked": len(rows), "failed": len(failed),
                      "insufficient_sample": sum(1 for r in rows
                                                 if r.outcome == "insufficient_sample"),
                      "failed_units": ", ".join(units[:listed_units]) + more,
                      "withheld_unit_periods": len(withheld),
                      "messages": "; ".join(sorted({r.message_vi or "" for r in failed}))[:2000]}))
    return out


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The quality run the publication status follows (the latest one), if any."""
    exists = con.execute("select count(*) from information_schema.tables where table_schema = "
                         "'quality' and table_name = 'quality_results'").fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select max_by(run_id, run_at) from {RESULTS_TABLE}").fetchone()
    return row[0] if row else None


def load_results(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[dt.datetime, list[Result]]:
    """One run's results as written: what the Dagster asset checks and a reused gate report
    read (on a read-only connection too: a table from before `outcome` reads it as null)."""
    present = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'quality' "
        "and table_name = 'quality_results'").fetchall()}
    selected = ", ".join(c if c in present else f"null as {c}" for c in COLUMNS)
    relation = con.execute(f"select {selected} from {RESULTS_TABLE} where run_id = ? "
                           "order by check_name, index_code, unit_key, period_start",
                           [run_id])
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in relation.fetchall()]
    run_at = rows[0]["run_at"] if rows else dt.datetime.min
    return run_at, [Result(**{k: v for k, v in row.items()
                              if k not in ("run_id", "run_at") and (k != "outcome" or v)})
                    for row in rows]
