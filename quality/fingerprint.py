"""What the quality gate judges, fingerprinted: two gate runs over the same inputs judge the same
data the same way, so the second can reuse the first's results and report instead of
validating again.

The inputs are what the metric marts are built from and what the gate reads besides them:
every raw table (its rows and the newest load), what the contract layer reads of ingestion's
record, the units a decision may name, the dbt models' code (passed in by the orchestration),
the decision files, the suite files and the gate's own code. Not the marts' bytes: a parallel
floating-point sum differs in its last bits between two builds of the same data (measured on
`marts.quality_survey_anomalies`), so identical builds would never look identical."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from quality.decisions import AGENCIES_QUERY, PROVINCES_QUERY
from quality.results import CONTRACT_QUERY
from quality.suites import SuiteFile

QUALITY_CODE = Path(__file__).parent
# ingestion's own record: read through CONTRACT_QUERY (a rejected file retried on every run
# rewrites its row with a new time, which judges nothing differently)
RECORD_TABLES = ("load_manifest", "quarantine")


def exact_digest(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """An order-free digest of a query's rows (no floating-point column): the count and the
    sum of the rows' hashes (a 128-bit sum)."""
    try:
        count, total = con.execute(f"select count(*), sum(hash(q)) from ({query}) as q"
                                   ).fetchone()
    except duckdb.CatalogException:  # a table not built yet
        return "absent"
    return f"{count}:{total}"


def raw_digest(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Each raw table: its row count and newest load (new or replaced rows move one of them);
    a table rewritten whole on each run without a load time (the calendar) by its rows."""
    tables = con.execute("""
        select t.table_name, bool_or(c.column_name = '_loaded_at')
        from information_schema.tables as t
        inner join information_schema.columns as c
            on c.table_schema = t.table_schema and c.table_name = t.table_name
        where t.table_schema = 'raw' group by 1 order by 1""").fetchall()
    out = []
    for table, loaded in tables:
        if table in RECORD_TABLES:
            continue
        if loaded:
            count, newest = con.execute(f"select count(*), max(_loaded_at) from raw.{table}"
                                        ).fetchone()
            out.append(f"raw.{table}:{count}:{newest}")
        else:
            out.append(f"raw.{table}:{exact_digest(con, f'select * from raw.{table}')}")
    return out


def gate_fingerprint(con: duckdb.DuckDBPyConnection, files: list[SuiteFile], decisions: Path,
                     model_code: str) -> str:
    digest = hashlib.sha256(model_code.encode())
    for part in raw_digest(con):
        digest.update(part.encode())
    for query in (CONTRACT_QUERY, PROVINCES_QUERY, AGENCIES_QUERY):
        digest.update(exact_digest(con, query).encode())
    sources = [f.path for f in files] + sorted(QUALITY_CODE.glob("*.py"))
    if decisions.exists():
        sources += sorted(decisions.glob("*.yaml")) + sorted(decisions.glob("*.yml"))
    for path in sources:
        digest.update(f"{path.name}:".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
