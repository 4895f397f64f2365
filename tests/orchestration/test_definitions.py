"""The one Definitions loads whole, and the inbox sensor fires only on new or changed files."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.automation import inbox_sensor


def test_definitions_hold_the_whole_graph() -> None:
    from orchestration.definitions import defs

    job = defs.resolve_job_def("chiso_full_run")
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/dossier_records", "raw/dossier_events", "raw/calendar_days",
            "staging/stg_dossier_portal__records", "marts/dim_province"} <= keys
    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_dossier_portal__records"])
    assert dg.AssetKey(["raw", "dossier_records"]) in graph.get(staging).parent_keys
    assert job.executor_def.name == "in_process"
    assert defs.resolve_schedule_def("chiso_full_run_schedule").execution_timezone == \
        "Asia/Ho_Chi_Minh"


def test_inbox_sensor_fires_on_new_files_only(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_INBOX", str(tmp_path))
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    first = inbox_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    again = inbox_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(again, dg.SkipReason)
    (tmp_path / "_ground_truth.json").write_text("{}", encoding="utf-8")
    assert isinstance(inbox_sensor(dg.build_sensor_context(cursor=first.cursor)), dg.SkipReason)
    (tmp_path / "b.jsonl").write_text("{}\n", encoding="utf-8")
    third = inbox_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(third, dg.SensorResult)
    assert third.run_requests[0].tags["chiso/changed_files"] == "1"


def test_a_dbt_change_after_the_manifest_is_reported() -> None:
    """`chiso run` refuses a stale manifest (it would crash mid-run on unknown models)."""
    import os

    from orchestration.defs import transform

    model = transform.DBT_PROJECT_DIR / "models" / "staging" / "reference" / \
        "stg_reference__agencies.sql"
    built = transform.DBT_PROJECT.manifest_path.stat().st_mtime
    original = model.stat().st_mtime
    try:
        os.utime(model, (built - 10, built - 10))
        assert "models/staging/reference/stg_reference__agencies.sql" not in \
            transform.stale_dbt_files()
        os.utime(model, (built + 10, built + 10))
        assert "models/staging/reference/stg_reference__agencies.sql" in \
            transform.stale_dbt_files()
    finally:
        os.utime(model, (original, original))
