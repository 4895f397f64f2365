"""Dossier indicators and the service index on a generated sample, through the real loader and
`dbt build`: the counts add up, the two province code systems agree before the merger, the
generator's gaming agencies show in the published shares, on-time rates match the generator's
own truth, and a monthly partition rebuilds its month (and the quarter and year around it) and
nothing else.

The warehouse is the session's pipeline run on the 20k-dossier sample; the partition tests work
on a copy of it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from foundation.settings import DBT_PROJECT_DIR
from sample_generator import catalogue
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, MERGER_DAY, NAT, generate_dossiers
from sample_generator.self_reported import on_time
from sample_generator.truth import GroundTruth
from tests.conftest import SMALL_SAMPLE, PipelineRuns

pytestmark = pytest.mark.e2e

PII_KEY = b"chiso-dossier-indicators-test-k!"
MONTHLY_FACTS = (
    "fct_dossier_processing_by_period", "fct_dossier_indicators_by_period",
    "fct_procedure_processing_time_by_period", "fct_service_index_criteria_monthly",
    "fct_service_index_monthly",
)
MARCH = {"partition_start": "2025-03-01", "partition_end": "2025-04-01"}
MERGER = dt.date(2025, 7, 1)
EVENT_VENDORS = ("vnpt_igate", "viettel_motcua")


@dataclass(frozen=True)
class Warehouse:
    path: Path
    tmp: Path

    def dbt(self, *args: str, vars_: dict[str, str] | None = None,
            warehouse: Path | None = None) -> dbtRunnerResult:
        """dbt in-process against this warehouse (or a copy), target and logs in tmp."""
        extra = ["--vars", str(vars_)] if vars_ else []
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CHISO_WAREHOUSE", str(warehouse or self.path))
            mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
            return dbtRunner().invoke([
                *args, *extra, "--project-dir", str(DBT_PROJECT_DIR),
                "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path",
                str(self.tmp / "target"), "--log-path", str(self.tmp / "logs"),
            ])


def assert_success(result: dbtRunnerResult) -> None:
    assert result.success, result.exception or [
        (r.node.name, str(r.status), r.message) for r in result.result
        if str(r.status) not in {"success", "pass", "warn"}
    ]


@pytest.fixture(scope="module")
def warehouse(pipeline_runs: PipelineRuns, tmp_path_factory: pytest.TempPathFactory
              ) -> Warehouse:
    """A copy of the session's pipeline warehouse (built once by the real Dagster job)."""
    tmp = tmp_path_factory.mktemp("dossier_indicators")
    built = Warehouse(tmp / "warehouse.duckdb", tmp)
    shutil.copyfile(pipeline_runs.after_nothing_new, built.path)
    return built


@pytest.fixture
def con(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    # same configuration as the in-process dbt connection (DuckDB refuses a second one)
    connection = duckdb.connect(str(warehouse.path))
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, list(params)).fetchall()


def test_counts_add_up(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "select count(*) from marts.dossier_indicators")[0][0] > 1000
    broken = rows(con, """
        select period_type, period_start, unit_type, code_system, unit_key
        from marts.dossier_indicators
        where carried_over_count + received_count <> processed_count + refused_count
                + stopped_count + withdrawn_count + in_progress_end_count
            or to_process_count <> carried_over_count + received_count
            or processed_count <> processed_early_count + processed_on_time_count
                + processed_late_count + processed_unjudged_count
            or in_progress_end_count <> in_progress_overdue_count + in_progress_due_soon_count
                + in_progress_not_yet_due_count + in_progress_due_unknown_count
    """)
    assert broken == []
    # every received dossier is received in exactly one month, nationally
    received, dossiers = rows(con, """
        select
            (select sum(received_count) from marts.dossier_indicators
             where period_type = 'month' and unit_type = 'national' and code_system = 'gso34'),
            (select count(*) from intermediate.int_dossier__lifecycle where is_received)
    """)[0]
    assert received == dossiers
    # a stock carried into a month is the stock the month before left in progress
    unchained = rows(con, """
        select month.period_start
        from marts.dossier_indicators as month
        join marts.dossier_indicators as previous
            on previous.period_type = 'month' and previous.unit_type = 'national'
            and previous.code_system = 'gso34' and previous.period_end = month.period_start
        where month.period_type = 'month' and month.unit_type = 'national'
            and month.code_system = 'gso34'
            and month.carried_over_count <> previous.in_progress_end_count
    """)
    assert unchained == []


def test_a_quarter_carries_over_its_first_months_stock(con: duckdb.DuckDBPyConnection) -> None:
    q1 = dict(rows(con, """
        select period_type || ':' || strftime(period_start, '%Y-%m'), carried_over_count
        from marts.dossier_indicators
        where unit_type = 'national' and code_system = 'gso34'
            and period_start in ('2025-01-01', '2025-02-01', '2025-03-01')
            and period_type in ('month', 'quarter')
    """))
    # the quarter's stock at its start is January's, not January + February + March
    assert q1["quarter:2025-01"] == q1["month:2025-01"]
    assert q1["month:2025-02"] + q1["month:2025-03"] > 0


def test_national_totals_agree_before_the_merger(con: duckdb.DuckDBPyConnection) -> None:
    counts = [name for (name,) in rows(con, """
        select column_name from information_schema.columns
        where table_schema = 'marts' and table_name = 'dossier_indicators'
            and column_name like '%_count'
    """)]
    national = {
        (system, kind, start): values
        for system, kind, start, *values in rows(con, f"""
            select code_system, period_type, period_start, {', '.join(counts)}
            from marts.dossier_indicators where unit_type = 'national'
        """)
    }
    before = sorted(key[1:] for key in national if key[0] == "gso63")
    assert ("month", dt.date(2025, 6, 1)) in before
    assert all(start < MERGER for _, start in before)  # no gso63 series after the merger
    for kind, start in before:
        assert national[("gso63", kind, start)] == national[("gso34", kind, start)], (kind, start)
    # gso34 goes on after the merger, and marks what it mapped forward
    mapped = dict(rows(con, """
        select period_start, bool_and(is_mapped_forward) from marts.dossier_indicators
        where code_system = 'gso34' and unit_type <> 'agency' and period_type = 'month'
        group by all
    """))
    assert mapped[dt.date(2025, 6, 1)] is True
    assert mapped[dt.date(2025, 7, 1)] is False


def _planted(ground_truth: dict[str, Any], kind: str) -> list[str]:
    return [d["details"]["agency_code"] for d in ground_truth["defects"] if d["kind"] == kind]


@pytest.mark.parametrize(("kind", "count", "share"), [
    ("gaming_close_at_due", "processed_closed_at_due_minute_count",
     "closed_at_due_minute_share"),
    ("gaming_supplement_on_last_day", "processed_supplement_on_last_day_count",
     "supplement_on_last_day_share"),
])
def test_gaming_agencies_show_their_pattern(con: duckdb.DuckDBPyConnection,
                                            ground_truth: dict[str, Any], kind: str,
                                            count: str, share: str) -> None:
    agencies = _planted(ground_truth, kind)
    assert agencies
    national = rows(con, f"""
        select sum({count}) / sum(processed_count) from marts.dossier_indicators
        where period_type = 'month' and unit_type = 'national' and code_system = 'gso34'
    """)[0][0]
    assert national < 0.01
    for agency in agencies:
        observed = rows(con, f"""
            select sum({count}) / sum(processed_count) from marts.dossier_indicators
            where period_type = 'month' and unit_type = 'agency' and unit_key = ?
        """, agency)[0][0]
        assert observed > max(0.15, 10 * national), (agency, observed, national)
    # the published share column carries the same signal, month by month
    flagged = rows(con, f"""
        select count(*) from marts.dossier_indicators
        where period_type = 'month' and unit_type = 'agency'
            and unit_key in ({', '.join('?' * len(agencies))}) and {share} > 0.15
    """, *agencies)[0][0]
    assert flagged >= 1


def test_on_time_rates_match_the_generators_truth(con: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    """Per gso63 province (January-June), the computed on-time rate against the generator's
    own judgement, for the vendors that export events (exact supplement waits)."""
    # regenerates the same dossiers in memory (the agency list is written to a scratch inbox)
    ctx = SampleContext(config=SMALL_SAMPLE, inbox=tmp_path, truth=GroundTruth(seed=0))
    cat = catalogue.build_catalogue(ctx)
    dossiers = generate_dossiers(ctx, cat, catalogue.build_agencies(ctx))
    # the dossier the session's pipeline gave an impossible event is set aside, on purpose
    # (tests/conftest.py: impossible_events), and so not in the statistics
    set_aside = [r[0] for r in rows(con, "select dossier_id from "
                                         "intermediate.int_dossier__consistency_flags")]
    processed = ((dossiers.outcome == 0) & (dossiers.ended != NAT)
                 & (dossiers.ended < MERGER_DAY * DAY)
                 & ~np.isin(dossiers.id.astype(str), set_aside))  # ids are bytes (S16)
    good = on_time(dossiers)
    truth: dict[str, tuple[int, int]] = {}
    for code in np.unique(dossiers.province_code[processed & np.isin(dossiers.vendor,
                                                                     EVENT_VENDORS)]):
        mine = processed & (dossiers.province_code == code)
        truth[f"gso63:{code}"] = (int(good[mine].sum()), int(mine.sum()))
    ours = {key: (ok, judged) for key, ok, judged in rows(con, """
        select unit_key, sum(processed_early_count + processed_on_time_count),
            sum(processed_early_count + processed_on_time_count + processed_late_count)
        from marts.dossier_indicators
        where period_type = 'month' and unit_type = 'province' and code_system = 'gso63'
        group by unit_key
    """)}
    assert len(truth) >= 20
    for province, (ok, total) in truth.items():
        our_ok, our_total = ours[province]
        assert our_total == total, province
        assert abs(our_ok / our_total - ok / total) <= 0.01, (province, our_ok, ok, total)


def test_service_index_scores_rank_and_say_their_version(
    con: duckdb.DuckDBPyConnection,
) -> None:
    versions = dict(rows(con, """
        select period_start < date '2025-07-01', string_agg(distinct version)
        from marts.service_index_monthly group by 1
    """))
    assert versions == {True: "766-2022", False: "portal-2025"}
    per_month = rows(con, """
        select period_start, code_system, count(*), max(units_ranked), min(rank), max(rank),
            min(total_score), max(total_score)
        from marts.service_index_monthly where unit_type = 'province'
        group by all order by all
    """)
    for month, system, units, ranked, first, last, low, high in per_month:
        assert units == ranked == (63 if system == "gso63" else 34), (month, system)
        assert first == 1 and last <= ranked
        assert 0 <= low <= high <= 100
    assert {system for _, system, *_ in per_month} == {"gso63", "gso34"}
    # competition ranking on the rounded total: a rank is 1 + the units strictly ahead
    wrong = rows(con, """
        select a.period_start, a.code_system, a.unit_key
        from marts.service_index_monthly as a
        where a.unit_type = 'province' and a.rank <> 1 + (
            select count(*) from marts.service_index_monthly as b
            where b.unit_type = 'province' and b.period_start = a.period_start
                and b.code_system = a.code_system
                and b.total_score_rounded > a.total_score_rounded)
    """)
    assert wrong == []


def _snapshot(con: duckdb.DuckDBPyConnection) -> None:
    for table in MONTHLY_FACTS:
        con.execute(f"create or replace table main.before_{table} as "
                    f"select * from marts.{table}")


def _changed_periods(con: duckdb.DuckDBPyConnection, table: str) -> set[tuple[str, dt.date]]:
    """(period_type, period_start) of rows that differ between the snapshot and now."""
    kind = "'month'" if "service_index" in table else "period_type"  # the index is monthly
    return set(rows(con, f"""
        select distinct {kind}, period_start from (
            (select * from marts.{table} except all select * from main.before_{table})
            union all
            (select * from main.before_{table} except all select * from marts.{table})
        )
    """))


def test_one_month_rebuild_changes_no_other_month(warehouse: Warehouse) -> None:
    copy = warehouse.tmp / "partition.duckdb"
    original = duckdb.connect(str(warehouse.path))
    try:
        original.execute("checkpoint")  # everything in the file, nothing left in the WAL
    finally:
        original.close()
    shutil.copyfile(warehouse.path, copy)
    con = duckdb.connect(str(copy))
    try:
        _snapshot(con)
        # a row no longer produced by the data: gone when its month is rebuilt, kept otherwise
        # (outside March's year: the quarters and years around March are rolled up from the
        # months the table holds, and a ghost in one of them would be rolled up too)
        for month, moved_to in (("2025-03-01", "2025-03-01"), ("2025-02-01", "2024-12-01")):
            con.execute("""
                insert into marts.fct_dossier_processing_by_period
                select * replace ('GHOST' as agency_code, cast(? as date) as period_start,
                                  cast(? as date) + interval 1 month as period_end)
                from marts.fct_dossier_processing_by_period
                where period_type = 'month' and period_start = ?
                order by agency_code limit 1
            """, [moved_to, moved_to, month])
    finally:
        con.close()

    # exactly what the orchestration runs for a monthly partition (tests included)
    assert_success(warehouse.dbt("build", "--select", "tag:monthly", vars_=MARCH,
                                 warehouse=copy))
    con = duckdb.connect(str(copy))
    try:
        ghosts = rows(con, "select period_start from marts.fct_dossier_processing_by_period "
                           "where agency_code = 'GHOST'")
        assert ghosts == [(dt.date(2024, 12, 1),)]
        con.execute("delete from marts.fct_dossier_processing_by_period "
                    "where agency_code = 'GHOST'")
        for table in MONTHLY_FACTS:
            assert _changed_periods(con, table) == set(), table

        # a late-arriving apology for a late dossier of March, loaded after the build
        dossier, agency, due = rows(con, """
            select dossier_id, agency_code, due_at from intermediate.int_dossier__lifecycle
            where lifecycle_source = 'events' and outcome = 'processed'
                and end_judgement = 'late' and not is_apology_issued
                and received_at >= '2025-03-01' and closed_at < '2025-04-01'
            order by dossier_id limit 1
        """)[0]
        con.execute("""
            insert into raw.dossier_events by name
            select ? || '-late' as event_id, ? as dossier_id, 'XIN_LOI_HEN_LAI' as event_type,
                ? - interval 2 hour as event_at, '4' as status_code, ? as agency_code,
                ? + interval 3 day as new_due_at, 'events/late.csv' as _source_file,
                1 as _source_row, 'sha-late' as _file_sha256,
                -- loaded after everything before it, as the loader stamps it (Vietnam time)
                (select max(_loaded_at) from raw.dossier_events) + interval 1 minute as _loaded_at
        """, [dossier, dossier, due, agency, due])
        before = rows(con, """
            select late_with_apology_count from marts.fct_dossier_processing_by_period
            where period_type = 'month' and period_start = '2025-03-01' and agency_code = ?
        """, agency)[0][0]
    finally:
        con.close()

    # the daily run refreshes the lifecycle; the partition rebuilds March
    assert_success(warehouse.dbt("run", "--select", "tag:dossier_lifecycle", "tag:monthly",
                                 vars_=MARCH, warehouse=copy))
    con = duckdb.connect(str(copy))
    try:
        march_and_around = {("month", dt.date(2025, 3, 1)), ("quarter", dt.date(2025, 1, 1)),
                            ("year", dt.date(2025, 1, 1))}
        changed = _changed_periods(con, "fct_dossier_processing_by_period")
        assert ("month", dt.date(2025, 3, 1)) in changed
        assert changed <= march_and_around
        for table in MONTHLY_FACTS:
            months = {start for kind, start in _changed_periods(con, table) if kind == "month"}
            assert months <= {dt.date(2025, 3, 1)}, table
        after = rows(con, """
            select late_with_apology_count from marts.fct_dossier_processing_by_period
            where period_type = 'month' and period_start = '2025-03-01' and agency_code = ?
        """, agency)[0][0]
        assert after == before + 1
    finally:
        con.close()
