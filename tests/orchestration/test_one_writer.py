"""Runs that write the warehouse never overlap: two Dagster runs launched together in two
processes both succeed, one after the other, because the warehouse resource holds the writer's
lock for the whole run (DuckDB would refuse the second writer halfway through)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

RUN = textwrap.dedent("""
    import json, sys, time
    import dagster as dg
    from orchestration.lib.resources import WarehouseResource

    @dg.asset
    def writes(warehouse: WarehouseResource) -> None:
        started = time.time()
        with warehouse.connect() as con:
            con.execute("create table if not exists log (who varchar, started double)")
            con.execute("insert into log values (?, ?)", [sys.argv[2], started])
            time.sleep(2)  # long enough for the other run to try
        print(json.dumps({"who": sys.argv[2], "start": started, "end": time.time()}))

    result = dg.materialize([writes], resources={"warehouse": WarehouseResource(path=sys.argv[1])},
                            raise_on_error=False)
    sys.exit(0 if result.success else 1)
""")


def test_two_runs_launched_together_run_one_after_the_other(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(RUN, encoding="utf-8")
    warehouse = tmp_path / "warehouse.duckdb"
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, str(script), str(warehouse), who], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for who in ("first", "second")]
    outcomes = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outcomes]
    spans = sorted((json.loads(out.strip().splitlines()[-1]) for out, _ in outcomes),
                   key=lambda span: span["start"])
    assert spans[0]["end"] <= spans[1]["start"], spans  # never both inside the warehouse
