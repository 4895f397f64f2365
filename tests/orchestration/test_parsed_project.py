"""Which parsed dbt project a pipeline step's first dbt call starts from: its own when it has
one, else the newest another step of the home left, else the one `make setup` parsed.
(dbt itself judges whether the file still matches: tests/e2e/test_dossiers_only_inbox.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.lib import dbt_runs
from orchestration.lib.dbt_runs import PARSED_PROJECT, seed_parsed_project


def _parsed(folder: Path, content: str, mtime: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PARSED_PROJECT
    path.write_text(content)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def setup_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project_target = tmp_path / "dbt_project" / "target"
    _parsed(project_target, "make setup", 1_000)
    monkeypatch.setattr(dbt_runs, "MANIFEST", project_target / "manifest.json")
    return project_target


def test_a_step_keeps_its_own_parse(tmp_path: Path, setup_parse: Path) -> None:
    targets = tmp_path / "home" / "dbt_target"
    own = _parsed(targets / "dbt_monthly_models", "own", 2_000)
    _parsed(targets / "dbt_models", "newer", 3_000)
    seed_parsed_project(own.parent)
    assert own.read_text() == "own"


def test_a_new_step_starts_from_the_newest_parse_of_the_home(tmp_path: Path,
                                                             setup_parse: Path) -> None:
    targets = tmp_path / "home" / "dbt_target"
    _parsed(targets / "dbt_models", "older", 2_000)
    _parsed(targets / "dbt_yearly_models", "newest", 3_000)
    seed_parsed_project(targets / "dbt_published_models")
    assert (targets / "dbt_published_models" / PARSED_PROJECT).read_text() == "newest"
    assert not list((targets / "dbt_published_models").glob(".*.tmp"))


def test_a_new_home_starts_from_the_setup_parse(tmp_path: Path, setup_parse: Path) -> None:
    target = tmp_path / "home" / "dbt_target" / "dbt_models"
    seed_parsed_project(target)
    assert (target / PARSED_PROJECT).read_text() == "make setup"


def test_without_any_parse_dbt_parses(tmp_path: Path, setup_parse: Path) -> None:
    (setup_parse / PARSED_PROJECT).unlink()
    target = tmp_path / "home" / "dbt_target" / "dbt_models"
    seed_parsed_project(target)
    assert not (target / PARSED_PROJECT).exists()
