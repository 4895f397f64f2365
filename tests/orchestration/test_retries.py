"""A step that failed on a passing condition (another process holding the DuckDB file) tries
again and succeeds; a step that failed on what it was given (a dbt test) fails at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.events import DagsterEventType
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.lib.retries import TRANSIENT_RETRY, is_transient, retried_only_if_transient

QUICK = dg.RetryPolicy(max_retries=8, delay=0.5)  # TRANSIENT_RETRY's behaviour, test-sized


def attempts_of(body: Callable[[], None]) -> tuple[dg.ExecuteInProcessResult, int]:
    attempts: list[int] = []

    @dg.asset(retry_policy=QUICK)
    @retried_only_if_transient
    def step() -> None:
        attempts.append(1)
        body()

    result = dg.materialize([step], raise_on_error=False)
    retries = result.filter_events(
        lambda e: e.event_type == DagsterEventType.STEP_UP_FOR_RETRY)
    assert len(retries) == len(attempts) - 1
    return result, len(attempts)


def test_another_process_holding_the_warehouse_is_waited_out(tmp_path: Path) -> None:
    warehouse, tried = tmp_path / "warehouse.duckdb", tmp_path / "tried"
    # e.g. a shell someone left open on the warehouse, closed after the step's first attempt
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import pathlib, time, duckdb
        con = duckdb.connect({str(warehouse)!r})
        print("holding", flush=True)
        while not pathlib.Path({str(tried)!r}).exists():
            time.sleep(0.05)
        con.close()
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"

        def write() -> None:
            try:
                with duckdb.connect(str(warehouse)) as con:
                    con.execute("create table written as select 1 as x")
            finally:
                tried.touch()

        result, attempts = attempts_of(write)
    finally:
        tried.touch()
        holder.wait(timeout=30)
    assert result.success and attempts > 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select x from written").fetchall() == [(1,)]


def test_a_failed_dbt_test_is_not_retried() -> None:
    def build() -> None:
        raise DagsterDbtCliRuntimeError(
            "The dbt CLI process with command `dbt build` failed with exit code `1`.\n\n"
            "Errors parsed from dbt logs:\nFailure in test not_null_dim_province_province_key "
            "(models/marts/core/_core__models.yml)\n  Got 1 result, configured to fail if != 0")

    result, attempts = attempts_of(build)
    assert not result.success and attempts == 1
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "not_null_dim_province_province_key" in failure.step_failure_data.error.message


def test_which_errors_are_passing() -> None:
    locked = duckdb.IOException('IO Error: Could not set lock on file "/w.duckdb": Conflicting '
                                'lock is held in /usr/bin/python3 (PID 12)')
    assert is_transient(locked)
    assert is_transient(OSError(16, "Device or resource busy"))  # EBUSY
    assert is_transient(DagsterDbtCliRuntimeError(
        "failed with exit code `2`.\n\nErrors parsed from dbt logs:\nIO Error: Could not set "
        "lock on file \"/w.duckdb\": Conflicting lock is held in python3 (PID 12)"))
    try:  # raised from a passing one
        try:
            raise locked
        except duckdb.IOException as cause:
            raise RuntimeError("loading the inbox failed") from cause
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
    assert not is_transient(OSError(2, "No such file or directory"))
    assert not is_transient(duckdb.ConstraintException("Duplicate key"))
    assert not is_transient(dg.Failure("files whose share of bad rows passes the threshold"))


def test_the_steps_that_touch_the_warehouse_or_files_retry() -> None:
    from orchestration.definitions import defs

    policies = {a.node_def.name: a.node_def.retry_policy for a in defs.assets}  # type: ignore
    for step in ("raw_exports", "raw__calendar_days", "dbt_models", "dbt_monthly_models",
                 "dbt_yearly_models", "dbt_published_models", "publication__published_file"):
        assert policies[step] == TRANSIENT_RETRY, step
    # the quality gate's checks are not passing conditions
    assert policies["quality_gate"] is None
    assert TRANSIENT_RETRY.backoff == dg.Backoff.EXPONENTIAL and TRANSIENT_RETRY.max_retries == 3
