"""The real Dagster job end to end on the small sample (the session's `pipeline_runs`): every
asset materialised, a new month rebuilds that month and changes no other month's rows, a run
with nothing new changes nothing and rebuilds no month or year, a backfill of two months or of
a survey year rebuilds exactly those (and the next year's change) and leaves every other row
as it was, every input row is accounted for, and no personal data is stored in clear."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import (
    BACKFILLED_MONTHS,
    BACKFILLED_YEAR,
    HELD_BACK_MONTH,
    IMPOSSIBLE_EVENTS_EXPORT,
    IMPOSSIBLE_EXPORT,
    IMPOSSIBLE_IDS,
    MARK,
    MARKED_MONTHS,
    MARKED_REPLICATE_YEARS,
    MARKED_YEARS,
    PipelineRuns,
    impossible_events,
)

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


def _rebuilt(result: Any, grain: str) -> set[str]:
    spans = {str(e.materialization.metadata[f"chiso/rebuilt_{grain}s"].value)
             for e in result.get_asset_materialization_events()
             if f"chiso/rebuilt_{grain}s" in e.materialization.metadata}
    assert len(spans) == 1, spans
    return spans


def _invocations(result: Any, step: str) -> set[str]:
    """The dbt invocations of a step (one per backfill, however many periods)."""
    return {str(e.materialization.metadata["invocation_id"].value)
            for e in result.get_asset_materialization_events()
            if e.step_key == step and "invocation_id" in e.materialization.metadata}


def test_the_job_materialises_every_asset(pipeline_runs: PipelineRuns) -> None:
    first = pipeline_runs.first
    assert first.success
    events = first.get_asset_materialization_events()
    keys = {e.asset_key.to_user_string() for e in events}
    assert {"raw/dossier_records", "raw/load_manifest", "marts/dim_province",
            "marts/dossier_indicators", "marts/service_index_monthly",
            "staging/stg_dossier_portal__records", "marts/sipas_index_yearly",
            "marts/par_index_yearly", "publication/published_file"} <= keys
    # the first run rebuilds every month it has data for, as partitions of the monthly marts,
    # and every survey year: September's dossier exports are held back, but its petitions and
    # procedure announcements (one file each for the whole sample) are already in
    assert _months(first) == {f"2025-{m:02d}" for m in range(1, 10)}
    assert _rebuilt(first, "year") == {"2021..2025"}
    # a table's materialisation carries its row count, as dbt counted it
    counts = {e.asset_key.to_user_string(): e.materialization.metadata["dagster/row_count"].value
              for e in events if "dagster/row_count" in e.materialization.metadata}
    con = duckdb.connect(str(pipeline_runs.after_first), read_only=True)
    try:
        for table in ("marts/dim_province", "marts/sipas_index_yearly",
                      "marts/fct_service_index_monthly", "published/par_index_yearly"):
            schema, name = table.split("/")
            assert counts[table] == con.execute(
                f"select count(*) from {schema}.{name}").fetchone()[0], table
    finally:
        con.close()
    assert "staging/stg_dossier_portal__records" not in counts  # a view is not counted
    published = [e for e in events if e.asset_key.to_user_string() == "publication/published_file"]
    assert published[0].materialization.metadata["run_id"].value == first.run_id


def test_a_run_plans_each_asset_once_for_its_whole_range_of_months(
        pipeline_runs: PipelineRuns) -> None:
    """A plain run's range is every month up to the current one. Dagster stores a "planned"
    event per asset before the run starts, each a transaction of its local storage: one for the
    whole range, not one per month and monthly asset (a 1 M night stored 1,016 of them)."""
    from orchestration.lib.partitions import MONTHLY_PARTITIONS, RANGE_END, RANGE_START

    tags = pipeline_runs.first.dagster_run.tags
    keys = MONTHLY_PARTITIONS.get_partition_keys()
    months = keys[keys.index(tags[RANGE_START]):keys.index(tags[RANGE_END]) + 1]
    assert len(months) > 12  # from 2021 to now
    planned = pipeline_runs.planned_first
    assert planned["marts/service_index_monthly"] == [months]
    assert planned["marts/fct_dossier_processing_by_period"] == [months]
    assert planned["marts/dim_province"] == [None]
    assert all(len(events) == 1 for events in planned.values()), planned
    # and every month of the range is still materialised by the run
    materialised = {e.partition for e in pipeline_runs.first.get_asset_materialization_events()
                    if e.asset_key.to_user_string() == "marts/service_index_monthly"}
    assert materialised == set(months)


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
    assert _rebuilt(pipeline_runs.nothing_new, "year") == {"none"}
    assert _counts(pipeline_runs.after_nothing_new) == _counts(pipeline_runs.after_new_month)
    assert _counts(pipeline_runs.after_nothing_new)["raw.dossier_records"] > 10_000


def test_a_two_month_backfill_rebuilds_those_months_and_leaves_a_third(
        pipeline_runs: PipelineRuns) -> None:
    """March and April are rebuilt in one dbt invocation; May, marked before, is not: its
    marked rows are still there, and every other month's rows are as they were."""
    backfill = pipeline_runs.two_months
    assert backfill.success
    assert _months(backfill) == {m[:7] for m in BACKFILLED_MONTHS}
    assert len(_invocations(backfill, "dbt_monthly_models")) == 1
    before = _monthly_rows(pipeline_runs.before_backfills)
    after = _monthly_rows(pipeline_runs.warehouse)
    unmarked = _monthly_rows(pipeline_runs.after_nothing_new)
    assert after.keys() == before.keys()
    for table, month in before:
        if f"{month}-01" in BACKFILLED_MONTHS:  # rebuilt: the mark is gone
            assert after[(table, month)] == unmarked[(table, month)], (table, month)
        else:
            assert after[(table, month)] == before[(table, month)], (table, month)
    con = duckdb.connect(str(pipeline_runs.warehouse), read_only=True)
    try:
        marked = con.execute("select distinct strftime(period_start, '%Y-%m-01') "
                             "from marts.fct_dossier_indicators_by_period "
                             "where unit_name = ?", [MARK]).fetchall()
    finally:
        con.close()
    assert {m for (m,) in marked} == set(MARKED_MONTHS) - set(BACKFILLED_MONTHS)


def _parses(step_target: Path) -> list[bool]:
    """For each dbt invocation of a step, in order: whether dbt parsed the whole project again
    (its log says why it could not reuse the last parse)."""
    parsed_again: dict[str, bool] = {}
    for log in sorted(step_target.glob("dbt.log*"), reverse=True):  # dbt.log.1 is the older
        for line in log.read_text(encoding="utf-8").splitlines():
            if not line.startswith("{"):
                continue
            info = json.loads(line)["info"]
            unable = info["name"] == "UnableToPartialParse"
            parsed_again[info["invocation_id"]] = parsed_again.get(info["invocation_id"],
                                                                   False) or unable
    return list(parsed_again.values())


def test_the_monthly_step_reuses_its_parse_whatever_months_it_builds(
        pipeline_runs: PipelineRuns) -> None:
    """The first run builds every month, the nightly run the months the new month touched,
    the backfill two months: three windows, one full parse (the step's first, when it has no
    parse of its own yet). A window passed as dbt --vars would make every one a full parse."""
    parses = _parses(pipeline_runs.home / "dbt_target" / "dbt_monthly_models")
    assert len(parses) >= 3
    assert not any(parses[1:]), parses


YEARLY_TABLES = {"marts.sipas_index_yearly": "survey_year", "marts.par_index_yearly": "year",
                 "marts.par_index_fields_yearly": "year",
                 "intermediate.int_survey__index_intervals": "survey_year",
                 "intermediate.int_survey__bootstrap_replicates": "survey_year",
                 "intermediate.int_par_index__intervals": "year"}


def _changed_years(before: Path, after: Path) -> dict[str, set[int]]:
    """Per table, the years with a row that differs (bit for bit) between two warehouses."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{before}' as b (read_only)")
        con.execute(f"attach '{after}' as a (read_only)")
        return {table: {y for (y,) in con.execute(
            f"select distinct {year} from (select * from a.{table} except all "
            f"select * from b.{table} union all select * from b.{table} except all "
            f"select * from a.{table})").fetchall()}
            for table, year in YEARLY_TABLES.items()}
    finally:
        con.close()


def test_a_yearly_backfill_rebuilds_that_year_and_the_next_years_change(
        pipeline_runs: PipelineRuns) -> None:
    """2023 rebuilt in one dbt invocation, and 2024's rows that compare it with 2023 (its rank
    change and the intervals of it); 2024's year-local rows (its bootstrap replicates), 2022
    and 2025 stay as they were, their marks included."""
    backfill = pipeline_runs.one_year
    assert backfill.success
    assert _rebuilt(backfill, "year") == {f"{BACKFILLED_YEAR}..{BACKFILLED_YEAR}"}
    assert {str(e.materialization.metadata["chiso/also_refreshed"].value)
            for e in backfill.get_asset_materialization_events()} == {
        f"{BACKFILLED_YEAR + 1} (its change against {BACKFILLED_YEAR})"}
    assert len(_invocations(backfill, "dbt_yearly_models")) == 1
    changed = _changed_years(pipeline_runs.before_backfills, pipeline_runs.warehouse)
    following = {BACKFILLED_YEAR, BACKFILLED_YEAR + 1}
    for table, years in changed.items():
        allowed = {BACKFILLED_YEAR} if "bootstrap_replicates" in table else following
        assert years <= allowed, (table, years)
    con = duckdb.connect(str(pipeline_runs.warehouse), read_only=True)
    try:
        marked = {y for (y,) in con.execute("select distinct survey_year from marts."
                                            "sipas_index_yearly where province_name = ?",
                                            [MARK]).fetchall()}
        marked_replicates = {y for (y,) in con.execute(
            "select distinct survey_year from intermediate.int_survey__bootstrap_replicates "
            "where index_pct = -1").fetchall()}
        rank_changes = con.execute(
            "select count(*), count(rank_change) from marts.sipas_index_yearly "
            "where survey_year = ? and element_code = 'overall'",
            [BACKFILLED_YEAR + 1]).fetchone()
    finally:
        con.close()
    assert marked == set(MARKED_YEARS) - following
    assert marked_replicates == set(MARKED_REPLICATE_YEARS) - {BACKFILLED_YEAR}
    assert rank_changes[0] > 0 and rank_changes[1] == rank_changes[0]


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
    expected[IMPOSSIBLE_EVENTS_EXPORT] = 4
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


def test_events_in_an_impossible_order_are_set_aside_and_the_run_goes_on(
        pipeline_runs: PipelineRuns) -> None:
    """Events that each keep their contract but cannot be true with the rest (a dossier
    processed before it was received, one known only by events from an agency missing from the
    agency list, a real dossier with an event before its submission) load, go to the
    consistency flags with their reason, and are left out of the lifecycle; the run succeeds,
    its check of every unit's share of set-aside dossiers passes, and every province with
    received dossiers still has its marts."""
    assert pipeline_runs.first.success
    expected = impossible_events(pipeline_runs.home / "inbox")
    [check] = [e for e in pipeline_runs.first.get_asset_check_evaluations()
               if e.check_name == "units_within_bad_share"]
    assert check.passed
    con = duckdb.connect(str(pipeline_runs.after_first), read_only=True)
    try:
        accounted = con.execute(
            "select rows_in, rows_loaded, rows_quarantined from raw.load_manifest "
            "where source_file = ?", [IMPOSSIBLE_EVENTS_EXPORT]).fetchone()
        flags = dict(con.execute(
            "select dossier_id, check_code from intermediate.int_dossier__consistency_flags "
            "where dossier_id in (select unnest(?))", [sorted(expected)]).fetchall())
        reasons = {r[0] for r in con.execute(
            "select reason from intermediate.int_dossier__consistency_flags").fetchall()}
        in_lifecycle = con.execute(
            "select count(*) from intermediate.int_dossier__lifecycle "
            "where dossier_id in (select unnest(?))", [sorted(expected)]).fetchone()[0]
        provinces_without_marts = con.execute("""
            select distinct l.agency_province_key from intermediate.int_dossier__lifecycle l
            where l.is_received and not exists (
                select 1 from marts.dossier_indicators d
                where d.unit_type = 'province' and d.unit_key = l.agency_province_key)
        """).fetchall()
    finally:
        con.close()
    assert accounted == (4, 4, 0)  # every row kept its contract
    assert flags == expected
    assert all(reason.startswith("inconsistent: ") for reason in reasons)
    assert in_lifecycle == 0
    assert provinces_without_marts == []


def test_no_rate_exceeds_100_percent_at_any_level_and_period(pipeline_runs: PipelineRuns) -> None:
    """Every rate of the processing statistics (macros/dossier_metrics.sql: the on-time rate,
    the portal's progress rate, the shares) lies between 0 and 100 % for agencies, provinces
    under both code systems and the nation, per month, quarter and year (the error-severity
    tests of fct_dossier_indicators_by_period say the same in every build)."""
    con = duckdb.connect(str(pipeline_runs.after_nothing_new), read_only=True)
    try:
        rates = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_dossier_indicators_by_period' and (column_name like "
            "'%\\_rate' escape '\\' or column_name like '%\\_share' escape '\\') "
            "and column_name <> 'avg_legal_time_used_share'").fetchall()]
        levels = set(con.execute("select distinct unit_type, code_system, period_type "
                                 "from marts.fct_dossier_indicators_by_period").fetchall())
        outside = {rate: con.execute(
            f"select count(*) from marts.fct_dossier_indicators_by_period "
            f"where {rate} < 0 or {rate} > 1").fetchone()[0] for rate in rates}
        judged = con.execute("select count(on_time_rate), count(progress_on_time_rate) "
                             "from marts.fct_dossier_indicators_by_period").fetchone()
    finally:
        con.close()
    assert {"on_time_rate", "progress_on_time_rate", "online_share"} <= set(rates)
    # a gso63 province (and nation) ends with the merger: no year 2025 under gso63
    periods = {"gso63": ("month", "quarter"), "gso34": ("month", "quarter", "year")}
    assert {(u, c, p) for u in ("agency", "province", "national") for c, ps in periods.items()
            for p in ps} <= levels
    assert min(judged) > 1000
    assert {rate: n for rate, n in outside.items() if n} == {}
