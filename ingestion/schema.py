"""The `raw` schema: one table per contract plus the quarantine and the load manifest.

Every raw row carries its lineage: the file (relative to the inbox), its 1-based data row, the
file's SHA-256 and when it was loaded (naive wall-clock Asia/Ho_Chi_Minh, like every time in
raw). raw.quarantine holds one row per broken rule (a row breaking two rules has two entries;
source_row null = the whole file was rejected); raw.load_manifest one row per distinct file
content (an archive member or a workbook sheet is one), with rows_in = rows_loaded +
rows_quarantined, the text encoding found and how many loaded rows had an id repaired;
raw.load_units, for families whose rows name their unit (an agency), the rows in and
quarantined per unit and input.
"""

from __future__ import annotations

import duckdb

from ingestion.contracts import CONTRACTS, Contract

# lineage carried by every raw row
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "varchar not null"),
    ("_source_row", "bigint not null"),
    ("_file_sha256", "varchar not null"),
    ("_loaded_at", "timestamp not null"),
)

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    source_file varchar not null,
    file_sha256 varchar not null,
    family varchar,
    source_row bigint,
    field varchar,
    reason varchar not null,
    raw_value varchar,
    quarantined_at timestamp not null
)
"""

# a row's reporting unit (contracts with a `unit` field): quarantined rows carry it, and every
# loaded input says how many of its rows each unit had in and quarantined
QUARANTINE_ADDED = (("unit_code", "varchar"),)
LOAD_UNITS_DDL = """
create table if not exists raw.load_units (
    file_sha256 varchar not null,
    unit_code varchar,
    rows_in bigint not null,
    rows_quarantined bigint not null
)
"""

LOAD_MANIFEST_DDL = """
create table if not exists raw.load_manifest (
    source_file varchar not null,
    file_sha256 varchar primary key,
    family varchar,
    status varchar not null,
    reason varchar,
    rows_in bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    rows_new bigint,
    loaded_at timestamp not null,
    seconds double,
    encoding varchar,
    rows_repaired bigint
)
"""

# columns added since the first warehouses were built: (name, type)
LOAD_MANIFEST_ADDED = (("encoding", "varchar"), ("rows_repaired", "bigint"))

# every inbox file read whole, with its size and modification time then and the inputs it held
# (their file_sha256): unchanged since, it is skipped without being read again
INBOX_FILES_DDL = """
create table if not exists raw.inbox_files (
    inbox_file varchar primary key,
    size bigint not null,
    mtime_ns bigint not null,
    inputs varchar[] not null,
    read_at timestamp not null
)
"""

ANSWERS_DDL = """
create table if not exists raw.{table} (
    survey_id varchar not null,
    respondent_id varchar not null,
    question_code varchar not null,
    answer bigint,
    _source_file varchar not null,
    _source_row bigint not null,
    _file_sha256 varchar not null,
    _loaded_at timestamp not null
)
"""


def raw_table_ddl(contract: Contract) -> str:
    columns = [f"{f.column} {f.duckdb_type}" for f in contract.fields]
    columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    return f"create table if not exists raw.{contract.table} (\n    " + ",\n    ".join(
        columns) + "\n)"


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)
    for name, sql_type in QUARANTINE_ADDED:
        con.execute(f"alter table raw.quarantine add column if not exists {name} {sql_type}")
    con.execute(LOAD_UNITS_DDL)
    con.execute(LOAD_MANIFEST_DDL)
    con.execute(INBOX_FILES_DDL)
    for name, sql_type in LOAD_MANIFEST_ADDED:  # a warehouse built before these columns
        con.execute(f"alter table raw.load_manifest add column if not exists {name} {sql_type}")
    existing = _raw_columns(con)
    for contract in CONTRACTS:
        con.execute(raw_table_ddl(contract))
        # a warehouse built before a contract gained an (optional) field: add its column
        for field in contract.fields:
            if contract.table in existing and field.column not in existing[contract.table]:
                con.execute(f"alter table raw.{contract.table} add column if not exists "
                            f"{field.column} {field.duckdb_type}")
        if contract.answers_table:
            con.execute(ANSWERS_DDL.format(table=contract.answers_table))


def _raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute("select table_name, column_name from information_schema.columns "
                       "where table_schema = 'raw'").fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns
