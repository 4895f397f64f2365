"""Shared helpers for the quality tests: dbt in its own process, as the orchestration runs it
(dbt-duckdb keeps the DuckDB file open in the process that ran it), with target and logs in the
test's own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from foundation.settings import DBT_PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


def dbt(tmp: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHISO_WAREHOUSE": str(warehouse),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs")],
        capture_output=True, text=True, env=env, check=False)


def failures(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.splitlines()
    return "\n".join(line for line in lines if "ERROR" in line or "FAIL" in line
                     or "Error" in line)[-4000:] or result.stderr[-4000:]
