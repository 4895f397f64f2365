"""One quality run: validate every suite in the warehouse, write `quality.quality_results` and
`quality.steward_decisions`, and render the stewards' report. Build `publication_status` with
dbt afterwards (it reads both tables)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from foundation.settings import warehouse_path
from quality.decisions import Decision, load_decisions, write_decisions
from quality.paths import decisions_dir, quality_dir
from quality.results import (
    CheckOutcome,
    Result,
    anomaly_results,
    check_outcomes,
    contract_results,
    latest_run_id,
    load_results,
    table_results,
    write_results,
)
from quality.suites import EXPECTATIONS_DIR, known_checks, load_suite_files
from quality.validate import DATA_DOCS, validate
from quality.warehouse import connect

CONTRACT_CHECKS = {"contract_rows_accounted", "contract_quarantine_share"}


@dataclass(frozen=True)
class QualityRun:
    run_id: str
    run_at: dt.datetime
    results: list[Result]
    decisions: list[Decision]
    data_docs: Path
    report: Path

    @property
    def checks(self) -> list[CheckOutcome]:
        """For Dagster asset checks (see results.CheckOutcome)."""
        return check_outcomes(self.results)

    @property
    def blocked_units(self) -> list[Result]:
        return [r for r in self.results if not r.passed and r.severity == "error" and r.unit_key]


def report_path(output: Path, run_id: str) -> Path:
    return output / "reports" / f"bao_cao_chat_luong_{run_id}.html"


def previous_run(con: duckdb.DuckDBPyConnection, output: Path | None = None) -> QualityRun | None:
    """The latest quality run as it was written (results, report, Data Docs), when its report
    is still there to show; None otherwise."""
    output = output or quality_dir()
    run_id = latest_run_id(con)
    if run_id is None or not report_path(output, run_id).exists():
        return None
    run_at, results = load_results(con, run_id)
    return QualityRun(run_id, run_at, results, [], output / "gx" / DATA_DOCS,
                      report_path(output, run_id))


def run_quality(warehouse: Path | None = None, *, expectations: Path = EXPECTATIONS_DIR,
                decisions: Path | None = None, output: Path | None = None,
                run_at: dt.datetime | None = None) -> QualityRun:
    warehouse = warehouse or warehouse_path()
    decisions = decisions or decisions_dir()
    output = output or quality_dir()
    run_at = run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    run_id = f"{run_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    files = load_suite_files(expectations)
    validation = validate(warehouse, files, output / "gx")
    con, handle = connect(warehouse)
    try:
        # decisions first: a faulty file stops the run before anything is written
        steward = load_decisions(decisions, con, known_checks(files) | CONTRACT_CHECKS) \
            if decisions.exists() else []
        results: list[Result] = contract_results(con)
        for outcome in validation.outcomes:
            if outcome.suite.row_key:
                rows = anomaly_results(con, outcome)
                failed = sum(1 for r in rows if not r.passed) // max(
                    1, len(outcome.suite.indices) or 1)
                if outcome.error or (outcome.unexpected_count is not None
                                     and failed != outcome.unexpected_count):
                    results.extend(table_results(outcome))  # GX and the table disagree: say so
                results.extend(rows)
            else:
                results.extend(table_results(outcome))
        write_results(con, run_id, run_at, results)
        write_decisions(con, steward, run_id)
        from quality.report import write_report

        report = write_report(con, run_id, run_at, results, files, validation.data_docs,
                              report_path(output, run_id))
    finally:
        con.close()
        handle.close()
    return QualityRun(run_id, run_at, results, steward, validation.data_docs, report)
