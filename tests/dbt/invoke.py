"""dbt in this process on a test's own warehouse file, parsed once by `make setup`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from foundation.settings import DBT_PROJECT_DIR


def invoke_dbt(args: list[str], *, warehouse: Path, tmp: Path,
               project: Path = DBT_PROJECT_DIR, env: dict[str, str] | None = None
               ) -> dbtRunnerResult:
    """`dbt <args>` against `warehouse`, its target and logs under `tmp`, starting from the
    project's partial parse when there is one (a full parse is most of a small run)."""
    parsed = DBT_PROJECT_DIR / "target/partial_parse.msgpack"
    if parsed.exists() and not (tmp / "target/partial_parse.msgpack").exists():
        (tmp / "target").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed, tmp / "target/partial_parse.msgpack")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHISO_WAREHOUSE", str(warehouse))
        mp.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        mp.setenv("CHISO_DUCKDB_TEMP_DIR", str(warehouse.parent / "spill"))
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        return dbtRunner().invoke([
            *args, "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")])
