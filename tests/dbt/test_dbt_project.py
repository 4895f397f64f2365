"""The dbt project for real: `dbt parse` without a warehouse, then `dbt build` (seeds, every
model, unit test and data test) on two small raw layers:

- `generated`: the session's pipeline run (the sample from `chiso generate`, the real loader
  and the real Dagster job's dbt build, planted defects included);
- `hand_made`: a few rows chosen for exact facts (code 15 on both sides of 2025-07-01, a
  code that lost its leading zero, several versions of one dossier).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from foundation.settings import DBT_PROJECT_DIR
from tests.conftest import PipelineRuns
from tests.dbt.raw_sample import build_raw_layer

pytestmark = pytest.mark.e2e

TEST_PII_KEY = b"chiso-dbt-tests-" * 2
# consistency checks that warn (the generator plants out-of-scale answers and scores above
# their maximum on purpose, and a score above its maximum stops that PAR INDEX round, which
# assert_index_inputs_are_valid reports); anything else that warns or fails is a bug
EXPECTED_WARNINGS = {"assert_survey_answers_within_scale", "assert_par_scores_within_methodology",
                     "assert_index_inputs_are_valid"}
# the hand-made layer scores PAR criterion 1.6 (a survey criterion) for a province without an
# officials' survey: its rounds are stopped with survey_result_missing, as they must be
HAND_MADE_WARNINGS = {"assert_index_inputs_are_valid"}


@dataclass(frozen=True)
class Build:
    sample: str
    warehouse: Path
    result: dbtRunnerResult | None  # None: built by the session's Dagster pipeline
    warned: frozenset[str]


def dbt(command: str, tmp: Path) -> dbtRunnerResult:
    # target/ and logs/ in the test's own folder, so parallel runs never share them
    return dbtRunner().invoke([
        command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
    ])


@pytest.fixture(scope="module", params=["generated", "hand_made"])
def build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Build]:
    tmp = tmp_path_factory.mktemp(f"dbt_{request.param}")
    warehouse = tmp / "warehouse.duckdb"
    if request.param == "generated":
        # the session's pipeline run: the real loader and the real Dagster job's dbt build
        runs: PipelineRuns = request.getfixturevalue("pipeline_runs")
        shutil.copyfile(runs.after_nothing_new, warehouse)
        yield Build("generated", warehouse, None, runs.warned_tests)
        return
    build_raw_layer(str(warehouse))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE", str(warehouse))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        result = dbt("build", tmp)
        warned = frozenset(r.node.name for r in result.result or [] if str(r.status) == "warn")
        yield Build(request.param, warehouse, result, warned)


@pytest.fixture
def con(build: Build) -> Iterator[duckdb.DuckDBPyConnection]:
    if build.result is not None:
        assert build.result.success, build.result.exception or [
            (r.node.name, str(r.status), r.message) for r in build.result.result
            if str(r.status) not in {"success", "pass", "warn"}
        ]
    connection = duckdb.connect(str(build.warehouse))
    yield connection
    connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def test_parse_needs_no_warehouse_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "not-created.duckdb"
    monkeypatch.setenv("CHISO_WAREHOUSE", str(missing))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    result = dbt("parse", tmp_path)
    assert result.success, result.exception
    assert (tmp_path / "target" / "manifest.json").exists()
    assert not missing.exists()


def test_build_runs_every_node(build: Build, request: pytest.FixtureRequest) -> None:
    if build.result is None:
        assert request.getfixturevalue("pipeline_runs").first.success
        assert build.warned == EXPECTED_WARNINGS  # the planted defects are seen, nothing else
        return
    assert build.result.success, build.result.exception
    kinds = {str(r.node.resource_type) for r in build.result.result}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    failed = [(r.node.name, str(r.status)) for r in build.result.result
              if str(r.status) not in {"success", "pass", "warn"}]
    assert failed == []
    assert build.warned == HAND_MADE_WARNINGS


def test_layers_land_in_their_own_schemas(con: duckdb.DuckDBPyConnection) -> None:
    found = set(con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall())
    assert {("staging", "stg_dossier_portal__records"), ("staging", "stg_surveys__sipas_answers"),
            ("staging", "stg_par_index__scores"),
            ("intermediate", "int_dossier_records__latest"), ("marts", "dim_province"),
            ("seeds", "provinces_2008_2025")} <= found
    # the published copies carry the names BI tools know, in their own schema
    published = {t for s, t in found if s == "published"}
    assert {"dim_province", "dossier_indicators", "service_index_monthly"} <= published


def test_provinces_under_both_code_systems(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(con.execute(
        "select code_system, count(*) from marts.dim_province group by all").fetchall())
    assert counts == {"gso63": 63, "gso34": 34}
    assert scalar(con, "select count(*) from marts.dim_province_crosswalk") == 63
    assert scalar(con, "select count(distinct gso34_province_key) "
                       "from marts.dim_province_crosswalk") == 34
    names = dict(con.execute("select province_key, province_name from marts.dim_province "
                             "where province_code = '15'").fetchall())
    assert names == {"gso63:15": "Yên Bái", "gso34:15": "Lào Cai"}
    assert scalar(con, "select gso34_province_key from marts.dim_province_crosswalk "
                       "where gso63_province_key = 'gso63:46'") == "gso34:46"


def test_tet_2025_is_not_worked_and_the_swapped_saturday_is(
    con: duckdb.DuckDBPyConnection,
) -> None:
    tet = con.execute("select is_working_day from marts.dim_date "
                      "where calendar_date between '2025-01-27' and '2025-01-31'").fetchall()
    assert tet == [(False,)] * 5
    assert scalar(con, "select is_working_day and is_swapped_workday from marts.dim_date "
                       "where calendar_date = '2025-04-26'") is True
    # working days between two dates is a subtraction: none from the Friday before Tết to
    # the Sunday after it, one more on Monday 2025-02-03
    number = dict(con.execute(
        "select calendar_date, working_day_number from marts.dim_date "
        "where calendar_date in ('2025-01-24', '2025-02-02', '2025-02-03')").fetchall())
    assert number[dt.date(2025, 2, 2)] - number[dt.date(2025, 1, 24)] == 0
    assert number[dt.date(2025, 2, 3)] - number[dt.date(2025, 1, 24)] == 1


def test_every_staged_dossier_has_a_known_province(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select count(*) from staging.stg_dossier_portal__records") > 0
    assert scalar(con, """
        select count(*)
        from staging.stg_dossier_portal__records as r
        anti join marts.dim_province as p on p.province_key = r.province_key
    """) == 0
    # the code system follows the submission date, on both sides of 2025-07-01
    assert scalar(con, """
        select count(*) from staging.stg_dossier_portal__records
        where code_system <> case when submitted_at < timestamp '2025-07-01' then 'gso63'
                                  else 'gso34' end
    """) == 0


def test_one_latest_version_per_dossier(con: duckdb.DuckDBPyConnection) -> None:
    latest, dossiers, top = con.execute("""
        select
            (select count(*) from intermediate.int_dossier_records__latest),
            (select count(distinct dossier_id) from staging.stg_dossier_portal__records),
            (select count(*) from intermediate.int_dossier_records__latest as l
             join (select dossier_id, max(version) as v from staging.stg_dossier_portal__records
                   group by all) as m on m.dossier_id = l.dossier_id and m.v = l.version)
    """).fetchone()
    assert latest == dossiers == top


def test_surveys_and_par_scores_carry_province_keys(con: duckdb.DuckDBPyConnection) -> None:
    for model in ("stg_surveys__sipas_responses", "stg_surveys__officials_responses",
                  "stg_par_index__scores"):
        assert scalar(con, f"select count(*) from staging.{model}") > 0
        assert scalar(con, f"select count(*) from staging.{model} as s anti join "
                           f"marts.dim_province as p on p.province_key = s.province_key") == 0
    assert scalar(con, "select count(*) from staging.stg_surveys__sipas_answers") > 0


@pytest.mark.parametrize("build", ["hand_made"], indirect=True)
def test_hand_made_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Exact facts planted in the hand-made layer only."""
    keys = dict(con.execute(
        "select dossier_id, province_key from staging.stg_dossier_portal__records").fetchall())
    assert keys["H15-0001"] == "gso63:15"  # filed 2025-06-30 16:59: Yên Bái
    assert keys["M15-0001"] == "gso34:15"  # filed 2025-07-01 08:00: Lào Cai
    assert keys["H01-0001"] == "gso63:01"  # "1" padded back to "01"
    assert scalar(con, "select version from intermediate.int_dossier_records__latest "
                       "where dossier_id = 'H15-0001'") == 2
    par = dict(con.execute("select year, province_key from staging.stg_par_index__scores "
                           "group by all").fetchall())
    assert par == {2024: "gso63:52", 2025: "gso34:52"}


@pytest.mark.parametrize("build", ["hand_made"], indirect=True)
def test_impossible_rows_are_flagged_and_the_build_goes_on(con: duckdb.DuckDBPyConnection) -> None:
    """Events in an impossible order, and a dossier known only by events from an agency the
    agency list lacks, go to the consistency flags with their reason; the build succeeds (no
    error-severity test fails: test_build_runs_every_node) and the lifecycle leaves them out.
    A dossier whose system exports only its processing history gets one lifecycle."""
    flags = con.execute("select dossier_id, check_code, reason "
                        "from intermediate.int_dossier__consistency_flags order by 1").fetchall()
    assert flags == [
        ("H01-ORDER", "ended_before_received", "inconsistent: processing ended (or the result "
         "was returned) before the dossier was received"),
        ("X99-ORPHAN", "unknown_agency_events_only",
         "inconsistent: events only, from an agency missing from the agency list")]
    lifecycles = dict(con.execute("select dossier_id, lifecycle_source "
                                  "from intermediate.int_dossier__lifecycle").fetchall())
    assert lifecycles == {"H15-0001": "events", "M15-0001": "events", "H01-0001": "records",
                          "M46-0001": "records", "M46-EVENTS": "events"}
    assert scalar(con, "select outcome || ' ' || province_key from intermediate."
                       "int_dossier__lifecycle where dossier_id = 'M46-EVENTS'") == (
        "processed gso34:46")
