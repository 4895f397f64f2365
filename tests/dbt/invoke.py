"""dbt in this process on a test's own warehouse file, parsed once by `make setup`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from foundation.settings import DBT_PROJECT_DIR
from orchestration.lib.dbt_runs import seed_parsed_project
from orchestration.lib.dirty_periods import save_watermark
from orchestration.lib.unpartitioned_build import WATERMARK, inputs_watermark


def invoke_dbt(args: list[str], *, warehouse: Path, tmp: Path,
               project: Path = DBT_PROJECT_DIR, env: dict[str, str] | None = None
               ) -> dbtRunnerResult:
    """`dbt <args>` against `warehouse`, its target and logs under `tmp`, starting from the
    project's partial parse when there is one (a full parse is most of a small run)."""
    seed_parsed_project(tmp / "target")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE", str(warehouse))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        mp.setenv("CHISO_DUCKDB_TEMP_DIR", str(warehouse.parent / "spill"))
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        return dbtRunner().invoke([
            *args, "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")])


def record_whole_build(warehouse: Path, tmp: Path) -> None:
    """What the orchestration records after a successful build of the unpartitioned models:
    the newest load it saw (incremental models and tests read it) and the code's fingerprint."""
    con = duckdb.connect(str(warehouse))
    try:
        save_watermark(con, WATERMARK, inputs_watermark(con, tmp / "target/manifest.json"),
                       None, "test")
    finally:
        con.close()
