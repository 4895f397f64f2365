"""The quality gate on a generated sample built through dbt, the path production takes: every
planted noisy province and gaming agency flagged and withheld, at most one false flag per index
and year; steward decisions applied on the next run; the report opens in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from foundation.calendar import calendar_table
from ingestion.loader import load_inbox
from quality.ground_truth import SURVEY_KINDS, describe, planted_units, score
from quality.runner import QualityRun, run_quality
from sample_generator.config import SampleConfig
from sample_generator.generate import GROUND_TRUTH, generate
from tests.dbt.raw_sample import CALENDAR_YEARS
from tests.quality.warehouse import dbt, failures

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # a 100k-dossier sample: minutes

# one year after the merger's half: gso63 and gso34 dossiers, the noisy SIPAS wave of 2025;
# large enough that the busiest agencies (where gaming is planted) have a few hundred dossiers
QUALITY_SAMPLE = SampleConfig(
    seed=23, dossiers=100_000, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31),
    survey_respondents_per_province=60, officials_per_province=40, procedures=120,
    papi_respondents_per_province=48,
)
PII_KEY = b"chiso-quality-tests-" * 2
CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class Sample:
    tmp: Path
    warehouse: Path
    inbox: Path
    run: QualityRun


def publication(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select * from published.publication_status order by all").fetchall()
    finally:
        con.close()


def sipas_ranks(warehouse: Path) -> dict[tuple[int, str], tuple[int, int]]:
    """The published SIPAS overall ranks: (year, province) → (rank, of M)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {(y, p): (r, m) for y, p, r, m in con.execute("""
            select survey_year, province_key, rank, rank_of from published.sipas_index_yearly
            where element_code = 'overall' and rank is not null""").fetchall()}
    finally:
        con.close()


def quality_run(sample_tmp: Path, warehouse: Path, decisions: Path) -> QualityRun:
    run = run_quality(warehouse, decisions=decisions, output=sample_tmp / "quality")
    result = dbt(sample_tmp, warehouse, "build", "--select", "publication_status+")
    assert result.returncode == 0, failures(result)
    return run


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    tmp = tmp_path_factory.mktemp("quality_sample")
    warehouse, inbox = tmp / "warehouse.duckdb", tmp / "inbox"
    generate(QUALITY_SAMPLE, inbox)
    con = duckdb.connect(str(warehouse))
    try:
        load_inbox(con, inbox, pii_key=PII_KEY)
        con.register("calendar", calendar_table(*CALENDAR_YEARS))
        con.execute("create or replace table raw.calendar_days as select * from calendar")
    finally:
        con.close()
    # the publication waits for the gate (quality_run), as in the pipeline
    built = dbt(tmp, warehouse, "build", "--exclude", "publication_status+")
    assert built.returncode == 0, failures(built)
    run = quality_run(tmp, warehouse, tmp / "decisions")
    yield Sample(tmp, warehouse, inbox, run)


def test_every_planted_unit_is_flagged_with_at_most_one_false_flag(sample: Sample) -> None:
    scores = score(sample.run.results, sample.inbox / GROUND_TRUTH)
    print(describe(scores))
    for s in scores:
        assert s.planted > 0, s.family
        assert s.recall == 1.0, describe(scores)
        assert all(n <= 1 for n in s.false_flags_by_index_year.values()), describe(scores)


def test_flagged_units_are_withheld_and_only_they(sample: Sample) -> None:
    defects = json.loads(
        (sample.inbox / GROUND_TRUTH).read_text(encoding="utf-8"))
    truth = planted_units(defects)
    rows = publication(sample.warehouse)
    withheld = {(r[0], r[2]) for r in rows if r[6] == "withheld"}
    # each noisy province in the index of the survey it was planted in (SIPAS or PAPI)
    planted_surveys = {(d["details"]["survey"],
                        f"{d['details']['code_system']}:{d['details']['province_code']}")
                       for d in defects["defects"] if d["kind"] in SURVEY_KINDS}
    assert {survey for survey, _ in planted_surveys} == {"sipas", "papi"}
    assert planted_surveys <= withheld
    for unit in truth["dossiers"]:
        assert ("dossier_indicators", unit) in withheld
        assert ("service_index", unit) in withheld
    # not the whole country: the rest of the units stay published
    statuses = Counter(r[6] for r in rows)
    assert statuses["published"] > 10 * statuses["withheld"]
    reasons = [r[7] for r in rows if r[6] == "withheld"]
    assert all(r.startswith("không xếp hạng: ") for r in reasons)


def test_results_table_and_check_outcomes(sample: Sample) -> None:
    con = duckdb.connect(str(sample.warehouse), read_only=True)
    try:
        layers = dict(con.execute(
            "select layer, count(*) from quality.quality_results group by 1").fetchall())
        nulls = con.execute("""select count(*) from quality.quality_results
            where layer = 'anomaly' and (unit_key is null or period_start is null
                or index_code is null or evidence is null)""").fetchone()[0]
    finally:
        con.close()
    assert set(layers) == {"contract", "consistency", "anomaly"}
    assert nulls == 0
    checks = {c.name: c for c in sample.run.checks}
    assert not checks["survey_short_interviews"].passed
    assert checks["survey_short_interviews"].severity == "error"
    assert checks["contract_rows_accounted"].passed  # every input row loaded or quarantined


def test_decisions_release_and_withhold_on_the_next_run(sample: Sample) -> None:
    before = publication(sample.warehouse)
    ranks_before = sipas_ranks(sample.warehouse)
    flagged = next(r for r in before if r[0] == "sipas" and r[6] == "withheld")
    # a clean province of the other round, ranked somewhere in the middle
    clean = next(r for r in before if r[0] == "sipas" and r[6] == "published"
                 and r[5] != flagged[5]
                 and 1 < ranks_before.get((r[5].year, r[2]), (0, 0))[0] < 20)
    decisions = sample.tmp / "decisions_next"
    decisions.mkdir()
    (decisions / "steward.yaml").write_text(f"""decisions:
  - index: sipas
    unit: "{flagged[2]}"
    period: "{flagged[5]:%Y}"
    action: release
    by: "Nguyễn Thị Lan, Sở Nội vụ"
    at: "2026-01-15T09:30:00+07:00"
    reason: "Đã phúc tra tại thực địa."
  - index: sipas
    unit: "{clean[2]}"
    period: "{clean[5]:%Y}"
    action: withhold
    by: "Trần Văn Minh, Bộ Nội vụ"
    at: "2026-01-16T10:00:00+07:00"
    reason: "Chờ xác minh danh sách mẫu."
""", encoding="utf-8")
    quality_run(sample.tmp, sample.warehouse, decisions)
    after = publication(sample.warehouse)
    status = {(r[0], r[2], r[5]): (r[6], r[9]) for r in after}
    assert status[("sipas", flagged[2], flagged[5])] == ("published", "steward.yaml:2")
    assert status[("sipas", clean[2], clean[5])] == ("withheld", "steward.yaml:9")
    # the released province is ranked, one more of M; the withheld one is gone, one fewer of M,
    # and every province it outranked moves up one place
    ranks_after = sipas_ranks(sample.warehouse)
    released, held = (flagged[5].year, flagged[2]), (clean[5].year, clean[2])
    assert released not in ranks_before and released in ranks_after
    of_before = {y: m for (y, _), (_, m) in ranks_before.items()}
    of_after = {y: m for (y, _), (_, m) in ranks_after.items()}
    assert ranks_after[released][1] == of_before[released[0]] + 1
    assert held in ranks_before and held not in ranks_after
    assert of_after[held[0]] == of_before[held[0]] - 1
    below = [k for k, (rank, _) in ranks_before.items()
             if k[0] == held[0] and rank > ranks_before[held][0]]
    assert below and all(ranks_after[k][0] == ranks_before[k][0] - 1 for k in below)
    # the same inputs and decisions again: the same publication, row for row
    quality_run(sample.tmp, sample.warehouse, decisions)
    assert publication(sample.warehouse) == after
    assert sipas_ranks(sample.warehouse) == ranks_after
    # and without the decisions the checks alone decide again
    quality_run(sample.tmp, sample.warehouse, sample.tmp / "decisions")
    assert publication(sample.warehouse) == before
    assert sipas_ranks(sample.warehouse) == ranks_before


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium")
def test_report_opens_in_chromium_with_the_flagged_units_and_their_charts(
    sample: Sample, tmp_path: Path
) -> None:
    report = sample.run.report
    assert report.is_relative_to(sample.tmp / "quality" / "reports")
    screenshot = tmp_path / "report.png"
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={screenshot}", "--window-size=1200,2400", "--dump-dom",
         report.as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
    assert "Báo cáo chất lượng dữ liệu" in dom
    flagged = {r.unit_key for r in sample.run.blocked_units}
    for unit in flagged:
        assert unit in dom, unit
    # a chart per flag, rendered as SVG in the page, and the link to the Data Docs
    assert dom.count("<svg") >= len({(r.unit_key, r.check_name) for r in sample.run.blocked_units
                                     if r.check_name != "dossier_due_date_inconsistent"}) // 2
    assert "Data Docs" in dom and sample.run.data_docs.exists()
    shutil.copy(screenshot, sample.tmp / "report.png")
