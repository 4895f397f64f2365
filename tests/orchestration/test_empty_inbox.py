"""An inbox with no export file (or no folder at all) loads nothing and says so in the run's
log: an operator who pointed CHISO_INBOX at the wrong folder reads why nothing came."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingestion.assets import raw_exports
from orchestration.lib.resources import InboxResource, WarehouseResource


def _load(inbox: Path, warehouse: Path) -> tuple[bool, list[str]]:
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [raw_exports], instance=instance, raise_on_error=False,
            resources={"warehouse": WarehouseResource(path=str(warehouse)),
                       "inbox": InboxResource(path=str(inbox), pii_key_env="TEST_PII_KEY")})
        warnings = [r.user_message for r in instance.all_logs(result.run_id)
                    if r.level == 30 and r.user_message]  # logging.WARNING
    return result.success, warnings


@pytest.mark.parametrize(("make_folder", "said"), [(True, "holds no export file"),
                                                  (False, "does not exist")])
def test_an_inbox_without_files_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        make_folder: bool, said: str) -> None:
    monkeypatch.setenv("TEST_PII_KEY", "a-test-key-of-enough-bytes")
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))
    inbox = tmp_path / "inbox"
    if make_folder:
        (inbox / "dossiers").mkdir(parents=True)
        (inbox / "_ground_truth.json").write_text("{}")  # `_` files are not inputs
    ok, warnings = _load(inbox, tmp_path / "warehouse.duckdb")
    assert ok
    assert [w for w in warnings if said in w and str(inbox) in w]


def test_an_inbox_with_a_file_does_not_warn(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PII_KEY", "a-test-key-of-enough-bytes")
    monkeypatch.setenv("CHISO_HOME", str(tmp_path))  # where the rejected file is set aside
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("not an export")  # rejected, but a file was there
    ok, warnings = _load(inbox, tmp_path / "warehouse.duckdb")
    assert ok
    assert not [w for w in warnings if "nothing loaded" in w]
    assert [w for w in warnings if "rejected" in w]
