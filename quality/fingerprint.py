"""What the quality gate read: a fingerprint of every input of a gate run — the content of each
table its suites query, the decision files, the suite files and the gate's own code. Two runs
with the same fingerprint judge the same data the same way, so the second can reuse the first's
results and report instead of validating again."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from quality.suites import SuiteFile

QUALITY_CODE = Path(__file__).parent
# what the contract layer and the decisions' validation read besides the suites' queries
OTHER_INPUTS = ("raw.load_manifest", "raw.quarantine", "marts.dim_province", "marts.dim_agency")
RELATION = re.compile(r"\b(?:from|join)\s+([a-z_]+\.[a-z_0-9]+)", re.IGNORECASE)


def relations(files: list[SuiteFile]) -> list[str]:
    """Every table the suites read, named in their queries, and the gate's other inputs."""
    named = {m.group(1).lower() for f in files for s in f.suites
             for m in RELATION.finditer(s.query)}
    return sorted(named | set(OTHER_INPUTS))


def _table_digest(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    schema, name = relation.split(".")
    columns = con.execute("select column_name, data_type from information_schema.columns "
                          "where table_schema = ? and table_name = ? order by ordinal_position",
                          [schema, name]).fetchall()
    if not columns:
        return f"{relation}:absent"
    # floating-point sums from a parallel aggregation may differ in their last bits between two
    # builds of the same data: compare them to 9 decimals
    values = ", ".join(f'round("{c}", 9)' if kind in ("DOUBLE", "FLOAT", "REAL") else f'"{c}"'
                       for c, kind in columns)
    # order-free: the sum of the rows' hashes (a 128-bit sum, no overflow)
    count, total = con.execute(f"select count(*), sum(hash(row({values}))) from {relation}"
                               ).fetchone()
    return f"{relation}:{count}:{total}"


def gate_fingerprint(con: duckdb.DuckDBPyConnection, files: list[SuiteFile],
                     decisions: Path) -> str:
    digest = hashlib.sha256()
    for relation in relations(files):
        digest.update(_table_digest(con, relation).encode())
    sources = [f.path for f in files] + sorted(QUALITY_CODE.glob("*.py"))
    if decisions.exists():
        sources += sorted(decisions.glob("*.yaml")) + sorted(decisions.glob("*.yml"))
    for path in sources:
        digest.update(f"{path.name}:".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
