"""The real Dagster definitions, materialised on a small generated sample in a temporary
CHISO_HOME: ingestion, then dbt build, twice."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

pytestmark = pytest.mark.e2e


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


def _monthly_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Published monthly indicator rows, per month."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select strftime(period_start, '%Y-%m'), * exclude (period_start) "
            "from marts.dossier_indicators_monthly where period_type = 'month' "
            "order by all").fetchall()
    finally:
        con.close()
    by_month: dict[str, list[tuple]] = {}
    for row in rows:
        by_month.setdefault(row[0], []).append(row[1:])
    return by_month


@pytest.fixture(scope="module")
def chiso_home(small_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("chiso_home")
    shutil.copytree(small_inbox, home / "inbox")
    return home


@pytest.fixture(scope="module")
def two_runs(chiso_home: Path) -> dict[str, Any]:
    """Run the full job twice on the same inbox, as an operator would."""
    env = {
        "CHISO_HOME": str(chiso_home),
        "CHISO_WAREHOUSE": str(chiso_home / "warehouse.duckdb"),
        "CHISO_INBOX": str(chiso_home / "inbox"),
        "CHISO_PII_KEY": "e2e-test-key-not-secret",
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        from orchestration.definitions import defs
        from orchestration.runs import run_pipeline

        warehouse = chiso_home / "warehouse.duckdb"
        with dg.DagsterInstance.ephemeral() as instance:
            first = run_pipeline(defs, instance)
            after_first = _counts(warehouse)
            months_before = _monthly_rows(warehouse)
            second = run_pipeline(defs, instance)
            after_second = _counts(warehouse)
            # an operator reruns one month from the UI: its partition of the monthly job
            march = defs.resolve_job_def("chiso_monthly_run").execute_in_process(
                instance=instance, partition_key="2025-03-01", raise_on_error=False)
            months_after = _monthly_rows(warehouse)
    return {"first": first, "second": second, "after_first": after_first,
            "after_second": after_second, "warehouse": warehouse, "march": march,
            "months_before": months_before, "months_after": months_after}


def test_the_jobs_materialise_every_asset(two_runs: dict[str, Any]) -> None:
    first = two_runs["first"]
    assert first.success and first.months == ("2025-01-01", "2025-09-01")
    keys = {e.asset_key.to_user_string()
            for result in (first.full, first.monthly)
            for e in result.get_asset_materialization_events()}
    assert {"raw/dossier_records", "marts/dim_province", "marts/dossier_indicators_monthly",
            "marts/service_index_monthly", "staging/stg_dossier_portal__records"} <= keys


def test_rerunning_one_month_changes_no_other_month(two_runs: dict[str, Any]) -> None:
    assert two_runs["march"].success
    before, after = two_runs["months_before"], two_runs["months_after"]
    assert set(before) == set(after) and len(before) == 9
    for month in before:
        assert after[month] == before[month], month


def test_second_run_changes_no_count(two_runs: dict[str, Any]) -> None:
    assert two_runs["second"].success
    assert two_runs["after_first"]["raw.dossier_records"] > 10_000
    assert two_runs["after_second"] == two_runs["after_first"]


def test_every_input_row_is_accounted_for(two_runs: dict[str, Any],
                                          ground_truth: dict[str, Any]) -> None:
    con = duckdb.connect(str(two_runs["warehouse"]), read_only=True)
    try:
        manifest = con.execute(
            "select source_file, rows_in, rows_loaded, rows_quarantined from raw.load_manifest "
            "where status = 'loaded'").fetchall()
        marts = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()}
        provinces = con.execute("select count(*) from marts.dim_province").fetchone()[0]
    finally:
        con.close()
    expected = {f["path"]: f["rows"] for f in ground_truth["files"]}
    assert {m[0] for m in manifest} == set(expected)
    for source_file, rows_in, loaded, quarantined in manifest:
        assert rows_in == loaded + quarantined == expected[source_file]
    assert {"dim_province", "dim_date", "dim_agency"} <= marts
    assert provinces == 97


def test_no_personal_data_in_clear_anywhere(two_runs: dict[str, Any], small_inbox: Path,
                                            ground_truth: dict[str, Any]) -> None:
    from tests.support.readback import read_rows

    clear: set[str] = set()
    for f in ground_truth["files"]:
        if f["family"] == "dossier_records":
            for row in read_rows(small_inbox / f["path"])[:300]:
                clear |= {str(row.get(c)) for c in ("ChuHoSo", "SoDinhDanh", "SoDienThoai")
                          if row.get(c)}
    assert len(clear) > 500
    con = duckdb.connect(str(two_runs["warehouse"]), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from {schema}."{table}" '
                f'where "{column}" in (select unnest(?::varchar[]))', [sorted(clear)]
            ).fetchone()[0]
            assert hits == 0, f"{schema}.{table}.{column} holds personal data in clear"
    finally:
        con.close()
