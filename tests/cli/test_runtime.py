"""Dagster's local storage as `chiso run` and `chiso dagster-home` prepare it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chiso import runtime

FLAG = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def test_the_home_gets_the_run_queue_and_runs_plan_a_range_in_one_event(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.delenv(FLAG, raising=False)
    home = runtime.ensure_dagster_home()
    assert home == tmp_path / "dagster"
    assert "max_concurrent_runs: 1" in (home / "dagster.yaml").read_text(encoding="utf-8")
    assert os.environ[FLAG] == "true"


def test_an_operators_own_setting_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv(FLAG, "false")  # they want a failed run to mark its months failed
    runtime.ensure_dagster_home()
    assert os.environ[FLAG] == "false"


def test_our_file_is_kept_current_and_an_operators_own_is_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    config = home / "dagster.yaml"
    config.write_text("# chiso: an older version of ours\ntelemetry:\n  enabled: false\n",
                      encoding="utf-8")
    runtime.ensure_dagster_home()
    assert config.read_text(encoding="utf-8") == runtime.dagster_yaml(home)
    own = "storage:\n  postgres:\n    postgres_url: postgresql://dagster@db/dagster\n"
    config.write_text(own, encoding="utf-8")
    runtime.ensure_dagster_home()
    assert config.read_text(encoding="utf-8") == own
