"""Where the published file and the history live: one default under CHISO_HOME, each movable."""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation import settings


def test_defaults_under_chiso_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CHISO_PUBLISHED", "CHISO_PUBLICATIONS", "CHISO_PUBLICATIONS_KEPT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    assert settings.published_path() == tmp_path / "published.duckdb"
    assert settings.publications_dir() == tmp_path / "publications"
    assert settings.publications_kept() == 12


def test_each_path_comes_from_its_variable(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHISO_PUBLISHED", str(tmp_path / "bi" / "chiso.duckdb"))
    monkeypatch.setenv("CHISO_PUBLICATIONS", str(tmp_path / "archive"))
    monkeypatch.setenv("CHISO_PUBLICATIONS_KEPT", "3")
    assert settings.published_path() == tmp_path / "bi" / "chiso.duckdb"
    assert settings.publications_dir() == tmp_path / "archive"
    assert settings.publications_kept() == 3
