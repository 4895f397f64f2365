"""The real Dagster job end to end on the small sample (the session's `pipeline_runs`): every
asset materialised, a new month rebuilds that month and changes no other month's rows, a run
with nothing new changes nothing and rebuilds no month, a one-month backfill changes no other
month, every input row is accounted for, and no personal data is stored in clear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import HELD_BACK_MONTH, IMPOSSIBLE_EXPORT, IMPOSSIBLE_IDS, PipelineRuns

pytestmark = pytest.mark.e2e
MONTHLY_FACTS = ("fct_dossier_processing_by_period", "fct_dossier_indicators_by_period",
                 "fct_procedure_processing_time_by_period", "fct_service_index_criteria_monthly",
                 "fct_service_index_monthly")


def _counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging') and table_name <> 'load_manifest' "
            "order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchone()[0]
                for s, t in tables}
    finally:
        con.close()


def _monthly_rows(warehouse: Path) -> dict[tuple[str, str], set[tuple]]:
    """Rows of every monthly fact, per table and month (month rows only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found: dict[tuple[str, str], set[tuple]] = {}
        for table in MONTHLY_FACTS:
            month_only = "" if "service_index" in table else "where period_type = 'month'"
            for row in con.execute(f"select strftime(period_start, '%Y-%m'), * "
                                   f"from marts.{table} {month_only}").fetchall():
                found.setdefault((table, row[0]), set()).add(row[1:])
        return found
    finally:
        con.close()


def _months(result: Any) -> set[str]:
    """The months a run rebuilt (the monthly build's record; else the partitions it ran)."""
    spans = {str(e.materialization.metadata["chiso/rebuilt_months"].value)
             for e in result.get_asset_materialization_events()
             if "chiso/rebuilt_months" in e.materialization.metadata}
    if not spans:
        return {e.partition[:7] for e in result.get_asset_materialization_events()
                if e.partition}
    assert len(spans) == 1, spans  # one dbt invocation for every monthly model
    span = spans.pop()
    if span == "none":
        return set()
    first, last = (dt.date.fromisoformat(f"{m}-01") for m in span.split(".."))
    months, month = set(), first
    while month <= last:
        months.add(f"{month:%Y-%m}")
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def test_the_job_materialises_every_asset(pipeline_runs: PipelineRuns) -> None:
    first = pipeline_runs.first
    assert first.success
    keys = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert {"raw/dossier_records", "raw/load_manifest", "marts/dim_province",
            "marts/dossier_indicators", "marts/service_index_monthly",
            "staging/stg_dossier_portal__records"} <= keys
    # the first run rebuilds every month it has data for, as partitions of the monthly marts
    assert _months(first) == {f"2025-{m:02d}" for m in range(1, 9)}


def test_a_new_month_rebuilds_that_month_and_changes_no_other(
        pipeline_runs: PipelineRuns) -> None:
    """September's exports arrive; the nightly schedule's run rebuilds the months they touched
    (September, and the months of the older dossiers they update) in the same run, and no
    earlier month's rows change."""
    assert pipeline_runs.new_month.success
    rebuilt = _months(pipeline_runs.new_month)
    assert HELD_BACK_MONTH in rebuilt and "2025-01" not in rebuilt
    before = _monthly_rows(pipeline_runs.after_first)
    after = _monthly_rows(pipeline_runs.after_new_month)
    assert {month for _, month in after} - {month for _, month in before} == {HELD_BACK_MONTH}
    changed = sorted(key for key in before if after.get(key) != before[key])
    # only August's running-month figures may move: it was the last month with data, judged
    # at the data's last moment, and is now complete
    assert {month for _, month in changed} <= {"2025-08"}, changed


def test_nothing_new_changes_nothing_and_rebuilds_no_month(pipeline_runs: PipelineRuns) -> None:
    assert pipeline_runs.nothing_new.success
    assert _months(pipeline_runs.nothing_new) == set()
    assert _counts(pipeline_runs.after_nothing_new) == _counts(pipeline_runs.after_new_month)
    assert _counts(pipeline_runs.after_nothing_new)["raw.dossier_records"] > 10_000


def test_a_one_month_backfill_changes_no_other_month(pipeline_runs: PipelineRuns) -> None:
    assert pipeline_runs.march.success
    assert _months(pipeline_runs.march) == {"2025-03"}
    assert _monthly_rows(pipeline_runs.warehouse) == _monthly_rows(pipeline_runs.after_nothing_new)


def test_every_input_row_is_accounted_for(pipeline_runs: PipelineRuns,
                                          ground_truth: dict[str, Any]) -> None:
    con = duckdb.connect(str(pipeline_runs.after_nothing_new), read_only=True)
    try:
        manifest = con.execute(
            "select source_file, rows_in, rows_loaded, rows_quarantined from raw.load_manifest "
            "where status = 'loaded'").fetchall()
        provinces = con.execute("select count(*) from marts.dim_province").fetchone()[0]
    finally:
        con.close()
    expected = {f["path"]: f["rows"] for f in ground_truth["files"]}
    expected[IMPOSSIBLE_EXPORT] = 5
    assert {m[0] for m in manifest} == set(expected)
    for source_file, rows_in, loaded, quarantined in manifest:
        assert rows_in == loaded + quarantined == expected[source_file]
    assert provinces == 97


def test_no_personal_data_in_clear_anywhere(pipeline_runs: PipelineRuns, small_inbox: Path,
                                            ground_truth: dict[str, Any]) -> None:
    from tests.support.readback import read_rows

    clear: set[str] = set()
    for f in ground_truth["files"]:
        if f["family"] == "dossier_records":
            for row in read_rows(small_inbox / f["path"])[:300]:
                clear |= {str(row.get(c)) for c in ("ChuHoSo", "SoDinhDanh", "SoDienThoai")
                          if row.get(c)}
    assert len(clear) > 500
    con = duckdb.connect(str(pipeline_runs.after_nothing_new), read_only=True)
    try:
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR'").fetchall():
            columns.setdefault((schema, table), []).append(column)
        con.register("clear_values", pa.table({"value": sorted(clear)}))  # after the listing
        # one scan per table or view: a column is reported by name when any of its values is
        for (schema, table), names in columns.items():
            found = con.execute("select " + ", ".join(
                f'count(*) filter (where "{c}" in (select value from clear_values))'
                for c in names) + f' from {schema}."{table}"').fetchone()
            holding = [c for c, hits in zip(names, found, strict=True) if hits]
            assert not holding, f"{schema}.{table} holds personal data in clear: {holding}"
    finally:
        con.close()


def test_impossible_rows_are_quarantined_and_every_province_is_built(
        pipeline_runs: PipelineRuns) -> None:
    """One province's export carries rows that cannot be true: the run succeeds, those rows are
    quarantined with their reason, the file's valid rows load, and every province with valid
    rows has its marts."""
    assert pipeline_runs.first.success
    con = duckdb.connect(str(pipeline_runs.after_first), read_only=True)
    try:
        reasons = dict(con.execute(
            "select q.source_row, q.reason from raw.quarantine q "
            "where q.source_file = ? order by 1", [IMPOSSIBLE_EXPORT]).fetchall())
        accounted = con.execute(
            "select rows_in, rows_loaded, rows_quarantined, rows_new from raw.load_manifest "
            "where source_file = ?", [IMPOSSIBLE_EXPORT]).fetchone()
        impossible_in_raw = con.execute(
            "select count(*) from raw.dossier_records where dossier_id in (select unnest(?))",
            [sorted(IMPOSSIBLE_IDS)]).fetchone()[0]
        missing = con.execute("""
            select distinct s.province_key from staging.stg_dossier_portal__records s
            where s.province_key like 'gso63:%' and s.submitted_at < '2025-07-01'
              and not exists (select 1 from marts.dossier_indicators d
                              where d.unit_type = 'province' and d.unit_key = s.province_key)
        """).fetchall()
    finally:
        con.close()
    assert sorted(reasons) == [1, 2, 3]
    assert all(reason.startswith("implausible:") for reason in reasons.values()), reasons
    # the two valid rows load (re-sent versions: nothing new), the three impossible ones do not
    assert accounted == (5, 2, 3, 0)
    assert impossible_in_raw == 0
    assert missing == []
