"""Which months and years a pipeline run rebuilds, on hand-made raw rows: everything the first
time; after that the months from the earliest moment new rows mention to the last month of
data, and the years new rows speak of; nothing when nothing new came; everything again when the
reference data or the models change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.surveys.inputs import SURVEY_INPUTS, yearly_sources
from orchestration.lib import dirty_periods as dp
from orchestration.lib import unpartitioned_build as ub
from orchestration.lib.dirty_months import DOSSIER_INPUTS

FIRST = dt.date(2021, 1, 1)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create schema intermediate")
    con.execute("""create table raw.dossier_records (dossier_id varchar, submitted_at timestamp,
        received_at timestamp, due_at timestamp, processing_ended_at timestamp,
        result_returned_at timestamp, updated_at timestamp, _loaded_at timestamp)""")
    con.execute("create table raw.dossier_events (dossier_id varchar, event_at timestamp, "
                "new_due_at timestamp, _loaded_at timestamp)")
    con.execute("create table intermediate.int_reference__procedures "
                "(procedure_code varchar, legal_time_value integer)")
    con.execute("insert into intermediate.int_reference__procedures values ('P1', 5)")
    # loaded on 2025-03-05: dossiers of January to March (a due date in April is not data)
    con.execute("""insert into raw.dossier_records values
        ('A', '2025-01-10 08:00', '2025-01-10 09:00', '2025-01-17 09:00', null, null,
         '2025-01-10 09:00', '2025-03-05 06:00'),
        ('B', '2025-03-02 08:00', '2025-03-02 09:00', '2025-04-09 09:00', null, null,
         '2025-03-02 09:00', '2025-03-05 06:00')""")
    return con


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.chiso.m": {
        "unique_id": "model.chiso.m", "resource_type": "model", "checksum": {"checksum": "1"}}}}))
    return path


def rebuild(con: duckdb.DuckDBPyConnection, manifest: Path, inputs: dp.Inputs = DOSSIER_INPUTS,
            first: dt.date = FIRST) -> dp.PeriodRange | None:
    """What a run without a range rebuilds (and records, as the pipeline does)."""
    current = dp.current_watermark(con, manifest, inputs)
    periods = dp.periods_to_rebuild(con, inputs, dp.previous_watermark(con, inputs.watermark),
                                    current, first=first)
    dp.save_watermark(con, inputs.watermark, current, periods, "run")
    return periods


def test_the_first_build_covers_every_month_of_data(con, manifest) -> None:
    months = rebuild(con, manifest)
    assert months == dp.PeriodRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert months.partition_keys() == ["2025-01-01", "2025-02-01", "2025-03-01"]


def test_nothing_new_rebuilds_nothing(con, manifest) -> None:
    rebuild(con, manifest)
    assert rebuild(con, manifest) is None


def test_a_late_event_rebuilds_its_month_and_every_month_after(con, manifest) -> None:
    rebuild(con, manifest)
    # loaded in May: an event of February for dossier A, and April's new dossier
    con.execute("insert into raw.dossier_events values "
                "('A', '2025-02-20 10:00', null, '2025-05-02 06:00')")
    con.execute("insert into raw.dossier_records values ('C', '2025-04-28 08:00', null, null, "
                "null, null, '2025-04-28 08:00', '2025-05-02 06:00')")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 2, 1), dt.date(2025, 5, 1))


def test_a_new_version_of_an_old_dossier_rebuilds_from_its_submission(con, manifest) -> None:
    """A version carries the dossier's whole record (channel, digitisation flags), which count
    in the month it was received: the rebuild starts there."""
    rebuild(con, manifest)
    con.execute("insert into raw.dossier_records values ('A', '2025-01-10 08:00', "
                "'2025-01-10 09:00', '2025-01-17 09:00', '2025-03-20 10:00', null, "
                "'2025-03-20 10:00', '2025-03-21 06:00')")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_a_change_of_reference_data_or_models_rebuilds_everything(con, manifest) -> None:
    rebuild(con, manifest)
    con.execute("update intermediate.int_reference__procedures set legal_time_value = 7")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert rebuild(con, manifest) is None
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_an_empty_warehouse_has_nothing_to_build(tmp_path: Path, manifest) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    assert rebuild(con, manifest) is None


def test_late_petitions_and_portal_exports_rebuild_their_old_month(con, manifest) -> None:
    """Petitions answered in January and the portal's evaluation of February arrive in May:
    their months are rebuilt (and every month after them, to the last month of data), as a
    late dossier event's would be; an announcement decided in March rebuilds from March."""
    con.execute("create table raw.petitions (petition_id varchar, received_at timestamp, "
                "handled_at timestamp, _loaded_at timestamp)")
    con.execute("create table raw.portal_evaluation (year bigint, month bigint, "
                "_loaded_at timestamp)")
    con.execute("create table raw.procedure_announcements (decided_on date, "
                "_loaded_at timestamp)")
    rebuild(con, manifest)
    con.execute("insert into raw.petitions values "
                "('PA-1', '2025-01-06 09:00', '2025-01-20 10:00', '2025-05-02 06:00')")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    con.execute("insert into raw.portal_evaluation values (2025, 2, '2025-05-03 06:00')")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 2, 1), dt.date(2025, 4, 1))
    con.execute("insert into raw.procedure_announcements values ('2025-03-14', "
                "'2025-05-04 06:00')")
    assert rebuild(con, manifest) == dp.PeriodRange(dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert rebuild(con, manifest) is None


# --- the years of the survey indices ----------------------------------------------------------

YEARS = dp.YEAR
FIRST_YEAR = dt.date(2009, 1, 1)


def years(first: int, last: int) -> dp.PeriodRange:
    return dp.PeriodRange(dt.date(first, 1, 1), dt.date(last + 1, 1, 1), YEARS)


@pytest.fixture
def surveys(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """SIPAS respondents of 2022 and 2023, PAR INDEX scores of 2023 and a methodology in force
    from 2020 on (no end year), all loaded on 2024-03-01."""
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.sipas_responses (respondent_id varchar, survey_year integer, "
                "_loaded_at timestamp)")
    con.execute("create table raw.par_scores (province_code varchar, year integer, "
                "_loaded_at timestamp)")
    con.execute("create table raw.par_methodology (criterion_code varchar, valid_from_year "
                "integer, valid_to_year integer, _loaded_at timestamp)")
    con.execute("insert into raw.sipas_responses values ('r1', 2022, '2024-03-01'), "
                "('r2', 2023, '2024-03-01')")
    con.execute("insert into raw.par_scores values ('01', 2023, '2024-03-01')")
    con.execute("insert into raw.par_methodology values ('1.1', 2020, null, '2024-03-01')")
    return con


def test_the_survey_tables_come_from_the_manifest() -> None:
    """The raw tables upstream of the models tagged `yearly`: a survey added to their folders
    brings its tables along."""
    assert {"sipas_responses", "sipas_answers", "officials_responses", "par_scores",
            "par_methodology"} <= set(yearly_sources())
    assert not {"dossier_records", "dossier_events", "load_manifest"} & set(yearly_sources())


def test_the_first_yearly_build_covers_every_year_with_scores_or_respondents(
        surveys, manifest) -> None:
    # the methodology in force from 2020 on does not make 2020 (nor every year up to now) a
    # year of data
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) == years(2022, 2023)
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) is None


def test_a_late_file_rebuilds_only_the_years_it_speaks_of(surveys, manifest) -> None:
    rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR)
    # corrected 2022 scores: 2022 only (2023's change against 2022 is rewritten by dbt itself)
    surveys.execute("insert into raw.par_scores values ('01', 2022, '2024-05-01')")
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) == years(2022, 2022)
    # a new round
    surveys.execute("insert into raw.sipas_responses values ('r3', 2024, '2025-03-01')")
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) == years(2024, 2024)
    # a methodology correction in force from 2023 to 2030: the years of data it covers
    surveys.execute("insert into raw.par_methodology values ('1.2', 2023, 2030, '2025-04-01')")
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) == years(2023, 2024)


def test_a_model_change_rebuilds_every_year(surveys, manifest) -> None:
    rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR)
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert rebuild(surveys, manifest, SURVEY_INPUTS, FIRST_YEAR) == years(2022, 2023)
    # the months and the years keep their own watermark
    assert {row[0] for row in surveys.execute(f"select name from {dp.WATERMARKS}").fetchall()} \
        == {"yearly_indices"}

def test_tables_without_data_are_built_empty_once_and_filled_when_data_comes(
        tmp_path: Path, manifest) -> None:
    """A deployment without surveys: no year to rebuild, but the yearly tables are built empty
    (in the first year's window) for the quality gate and the publication to read; not again
    while they are there and the code is the same; again when they are missing though the
    watermark says built (a home an earlier version left so), or when the models change; and
    not when there is data: then its years are built."""
    con = duckdb.connect(str(tmp_path / "no_surveys.duckdb"))
    con.execute("create schema raw; create schema marts")
    con.execute("create table raw.sipas_responses (respondent_id varchar, survey_year integer, "
                "_loaded_at timestamp)")
    con.execute("create table raw.par_scores (province_code varchar, year integer, "
                "_loaded_at timestamp)")
    relations = ["marts.sipas_index_yearly"]

    def plan() -> tuple[dp.PeriodRange | None, dp.PeriodRange | None]:
        previous = dp.previous_watermark(con, SURVEY_INPUTS.watermark)
        current = dp.current_watermark(con, manifest, SURVEY_INPUTS)
        periods = dp.periods_to_rebuild(con, SURVEY_INPUTS, previous, current, first=FIRST_YEAR)
        empty = dp.empty_build(con, SURVEY_INPUTS, previous, current, relations,
                               first=FIRST_YEAR)
        dp.save_watermark(con, SURVEY_INPUTS.watermark, current, periods, "run")
        return periods, empty

    assert plan() == (None, years(2009, 2009))
    con.execute("create table marts.sipas_index_yearly (survey_year integer)")  # dbt built it
    assert plan() == (None, None)
    con.execute("drop table marts.sipas_index_yearly")
    assert plan() == (None, years(2009, 2009))
    con.execute("create table marts.sipas_index_yearly (survey_year integer)")
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert plan() == (None, years(2009, 2009))
    assert plan() == (None, None)
    con.execute("insert into raw.sipas_responses values ('r1', 2024, '2025-03-01')")
    assert plan() == (years(2024, 2024), None)


# --- the unpartitioned build: nothing, new rows only, or everything again ---------------------

def plan(con: duckdb.DuckDBPyConnection, manifest: Path) -> ub.UnpartitionedBuild:
    decided = ub.plan_unpartitioned_build(con, manifest, dp.previous_watermark(con, "u"))
    if not decided.skip:  # what the orchestration does after a successful build
        dp.save_watermark(con, "u", decided.mark, None, "run")
    return decided


@pytest.fixture
def loads(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("create table raw.load_manifest (file_sha256 varchar, loaded_at timestamp)")
    con.execute("insert into raw.load_manifest values ('a', '2025-03-05 06:00')")
    con.execute("create table raw.calendar_days (calendar_date date, is_working_day boolean)")
    con.execute("insert into raw.calendar_days values ('2025-07-10', true)")
    return con


def test_the_first_build_is_a_full_one_then_only_new_loads_build(loads, manifest) -> None:
    first = plan(loads, manifest)
    assert (first.skip, first.full_refresh) == (False, True)
    assert plan(loads, manifest).skip  # nothing loaded since: no dbt at all
    loads.execute("insert into raw.load_manifest values ('b', '2025-03-06 06:00')")
    new_rows = plan(loads, manifest)
    assert (new_rows.skip, new_rows.full_refresh) == (False, False)
    assert plan(loads, manifest).skip


def test_a_calendar_or_code_change_rebuilds_every_dossier(loads, manifest) -> None:
    plan(loads, manifest)
    loads.execute("update raw.calendar_days set is_working_day = false")  # a day off announced
    changed = plan(loads, manifest)
    assert (changed.skip, changed.full_refresh) == (False, True)
    assert plan(loads, manifest).skip
    manifest.write_text(manifest.read_text().replace('"checksum": "1"', '"checksum": "2"'))
    assert plan(loads, manifest).full_refresh
