"""A BI tool in its own process: holds `published.duckdb` open read-only and queries it in a loop
until told to stop, then reconnects once (mode `hold`); or connects anew for every read, as a
dashboard refreshing does (mode `reconnect`). Prints one JSON report.

Each read is one transaction over every table: the run id of `_publication` and the distinct
`built_by_run` of each published table. A read that saw one publication whole has one run id.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

TABLES = ("service_index_monthly", "dossier_indicators", "withheld_units")


def read_once(con: duckdb.DuckDBPyConnection) -> list[str]:
    con.execute("begin transaction")
    runs = [r[0] for r in con.execute("select run_id from _publication").fetchall()]
    for table in TABLES:
        runs += [r[0] for r in con.execute(f"select distinct built_by_run from {table}").fetchall()]
    con.execute("commit")
    return runs


def main(published: str, ready: str, stop: str, mode: str = "hold") -> None:
    reads: list[dict] = []
    errors: list[str] = []
    con = duckdb.connect(published, read_only=True)
    while not Path(stop).exists():
        try:
            if mode == "reconnect":
                con.close()
                con = duckdb.connect(published, read_only=True)
            reads.append({"at": time.time(), "runs": sorted(set(read_once(con)))})
        except duckdb.Error as error:  # the test fails on any
            errors.append(repr(error))
        Path(ready).touch()
    con.close()
    with duckdb.connect(published, read_only=True) as fresh:
        after = sorted(set(read_once(fresh)))
    print(json.dumps({"reads": reads, "errors": errors, "after_reconnect": after}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
