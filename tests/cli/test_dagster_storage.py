"""The event log the Dagster home uses: Dagster's SQLite storage, its engines kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from chiso import dagster_storage, runtime


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    runtime.ensure_dagster_home()
    with dg.DagsterInstance.get() as found:
        yield found


def test_the_home_keeps_its_events_where_dagster_keeps_them(
        instance: dg.DagsterInstance, tmp_path: Path) -> None:
    storage = instance.event_log_storage
    assert isinstance(storage, dagster_storage.EngineCachingSqliteEventLogStorage)
    instance.report_runless_asset_event(dg.AssetMaterialization("index", partition="2025-01-01"))
    # Dagster's default place: a home that had run before keeps its history
    assert (tmp_path / "dagster" / "history" / "runs" / "index.db").exists()
    # tables found are remembered, tables missing asked again
    assert storage.has_table("asset_check_executions")
    assert not storage.has_table("no_such_table")
    assert not storage.has_table("no_such_table")


def test_every_event_is_stored_and_read_back_across_many_runs(
        instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dagster_storage, "ENGINES_KEPT", 3)
    storage = instance.event_log_storage

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]))
    def months() -> None:
        return None

    @dg.asset_check(asset=months)
    def months_are_whole() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    runs = []
    for _ in range(5):  # more runs than engines kept: the oldest engines are let go
        result = dg.materialize([months, months_are_whole], instance=instance,
                                partition_key="a")
        assert result.success
        runs.append(result.run_id)
    instance.report_runless_asset_event(dg.AssetMaterialization("months", partition="b"))

    assert len(storage._engines) <= 3
    records = instance.fetch_materializations(dg.AssetKey("months"), limit=100).records
    assert sorted(r.partition_key for r in records) == ["a"] * 5 + ["b"]
    checks = storage.get_asset_check_execution_history(months_are_whole.check_key, limit=100)
    assert sorted(c.run_id for c in checks) == sorted(runs)
    # each run's own database still holds all of its events, evicted engine or not
    for run_id in runs:
        kinds = {e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event}
        assert dg.DagsterEventType.ASSET_MATERIALIZATION in kinds
        assert dg.DagsterEventType.RUN_SUCCESS in kinds


def test_wiping_the_storage_lets_its_engines_go(instance: dg.DagsterInstance) -> None:
    storage = instance.event_log_storage
    instance.report_runless_asset_event(dg.AssetMaterialization("index"))
    assert storage._engines
    storage.wipe()
    assert not storage._engines
    assert not instance.fetch_materializations(dg.AssetKey("index"), limit=10).records
    instance.report_runless_asset_event(dg.AssetMaterialization("index"))
    assert len(instance.fetch_materializations(dg.AssetKey("index"), limit=10).records) == 1
