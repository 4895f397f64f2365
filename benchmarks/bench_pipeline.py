"""Measure the pipeline stage by stage on a generated sample: wall time, rows/s, peak memory.

    .venv/bin/python benchmarks/bench_pipeline.py --dossiers 300000

Each stage runs in its own process so that its peak RSS is its own. The figures in the
README come from this script on the 2-core, 24 GiB machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

STAGES = {
    "generate": [str(VENV_BIN / "chiso"), "generate", "--dossiers", "{dossiers}",
                 "--inbox", "{home}/inbox"],
    "ingest": [sys.executable, "-c",
               "import duckdb, os; from pathlib import Path; "
               "from ingestion.loader import load_inbox; "
               "from ingestion.schema import create_raw_schema; "
               "con = duckdb.connect(os.environ['CHISO_WAREHOUSE']); create_raw_schema(con); "
               "r = load_inbox(con, Path(os.environ['CHISO_INBOX']), pii_key=b'b' * 32); "
               "print('rows', sum(x.rows_in or 0 for x in r))"],
    "reingest": [sys.executable, "-c",
                 "import duckdb, os; from pathlib import Path; "
                 "from ingestion.loader import load_inbox; "
                 "con = duckdb.connect(os.environ['CHISO_WAREHOUSE']); "
                 "r = load_inbox(con, Path(os.environ['CHISO_INBOX']), pii_key=b'b' * 32); "
                 "print('skipped', sum(x.status == 'skipped' for x in r))"],
    "calendar": [sys.executable, "-c",
                 "import duckdb, os; from foundation.calendar import calendar_table; "
                 "con = duckdb.connect(os.environ['CHISO_WAREHOUSE']); "
                 "t = calendar_table(2020, 2030); con.register('t', t); "
                 "con.execute('create or replace table raw.calendar_days as select * from t')"],
    "dbt_build_daily": [str(VENV_BIN / "dbt"), "build", "--exclude", "tag:monthly",
                        "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
                        "--target-path", "{home}/dbt_target", "--log-path", "{home}/dbt_logs"],
    "dbt_build_all_months": [str(VENV_BIN / "dbt"), "build", "--select", "tag:monthly",
                             "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
                             "--target-path", "{home}/dbt_target",
                             "--log-path", "{home}/dbt_logs"],
    "dbt_build_one_month": [str(VENV_BIN / "dbt"), "build", "--select", "tag:monthly",
                            # doubled braces: these templates go through str.format
                            "--vars", '{{"partition_start": "2025-03-01", '
                            '"partition_end": "2025-04-01"}}',
                            "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
                            "--target-path", "{home}/dbt_target",
                            "--log-path", "{home}/dbt_logs"],
}


def run_stage(name: str, argv: list[str], env: dict[str, str]) -> dict[str, float | str]:
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 text=True)
        # wait4 gives this child's own peak RSS, not the largest of all children so far
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if child.returncode != 0:
        sys.stderr.write(output[-5000:])
        raise SystemExit(f"stage {name} failed")
    return {"stage": name, "seconds": round(seconds, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "last_line": (output.strip().splitlines() or [""])[-1][:120]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=300_000)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    env = os.environ | {
        "CHISO_HOME": str(home), "CHISO_INBOX": str(home / "inbox"),
        "CHISO_WAREHOUSE": str(home / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    results = []
    for name, template in STAGES.items():
        argv = [part.format(dossiers=args.dossiers, home=home) for part in template]
        results.append(run_stage(name, argv, env))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    size_mb = sum(p.stat().st_size for p in (home / "inbox").rglob("*") if p.is_file()) / 2**20
    warehouse_mb = (home / "warehouse.duckdb").stat().st_size / 2**20
    print(json.dumps({"dossiers": args.dossiers, "inbox_mb": round(size_mb),
                      "warehouse_mb": round(warehouse_mb), "home": str(home)}))


if __name__ == "__main__":
    main()
