"""Build a publication: copy the warehouse's `published` schema into a brand-new DuckDB file,
document it, check it, write its exports and dashboard, and only then swap it in.

The swap is one `os.replace`, so a reader never sees a half-written file: a connection open on
the old file keeps reading the old inode whole until it reconnects, and a failure anywhere before
the swap leaves the previous `published.duckdb` byte-identical. The pipeline never opens the
published file itself, so a BI tool holding it open can never block a run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from foundation import settings
from publication import dashboard, exports, history
from publication.descriptions import (
    PUBLISHED_SCHEMA,
    ColumnDoc,
    TableDoc,
    published_docs,
    require_descriptions,
)
from publication.freshness import Freshness, freshness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Written in an older storage format on purpose: the DuckDB CLI on PyPI (duckdb-cli 1.5.x) and the
# DuckDB drivers bundled in BI tools cannot read DuckDB 2.0's default format (version 69).
STORAGE_VERSION = "v1.0.0"
META_TABLE = "_publication"
INPUTS_TABLE = "_publication_inputs"
DECISIONS_TABLE = "_publication_decisions"

META_DOCS = {
    META_TABLE: ("This publication: one row.", {
        "run_id": "Pipeline run that built this publication.",
        "published_at": "When it was published (wall clock, Asia/Ho_Chi_Minh).",
        "code_version": "chiso package version and git commit of the code that built it.",
        "name": "Name of this publication in the history folder (publications/).",
        "storage_version": "DuckDB storage format of this file (readable by DuckDB from it on).",
        "tables": "Published tables and their row counts.",
        "data_loaded_through": "When the newest input that brought new rows was loaded (wall "
                               "clock, Asia/Ho_Chi_Minh); empty when none has.",
        "stale_after_days": "Days without new rows after which the indicators are stale "
                            "(CHISO_STALE_AFTER_DAYS).",
        "stale_since": "When these indicators become stale unless a newer publication replaces "
                       "them: data_loaded_through + stale_after_days.",
        "is_stale": "True when, at publication, no input had brought new rows for longer than "
                    "stale_after_days: the indicators may be out of date.",
    }),
    INPUTS_TABLE: ("The input files behind this publication (the warehouse's load manifest).", {
        "source_file": "Input file, relative to the inbox.",
        "file_sha256": "SHA-256 of the file's bytes.",
        "family": "Input family (contract) the file was read as.",
        "status": "loaded, skipped (same bytes loaded before) or rejected.",
        "reason": "Why a file was rejected.",
        "rows_in": "Data rows in the file.",
        "rows_loaded": "Rows loaded into raw.",
        "rows_quarantined": "Rows set aside in quarantine.",
        "rows_new": "Rows not seen in an earlier file.",
        "loaded_at": "When the file was loaded (wall clock, Asia/Ho_Chi_Minh).",
        "seconds": "Seconds the load took.",
    }),
    DECISIONS_TABLE: ("The steward decisions this publication used (approve or withhold).", {}),
}


class PublicationCheckError(RuntimeError):
    """The new file does not match the warehouse: it is not swapped in."""


@dataclass
class Publication:
    run_id: str
    name: str
    published_at: dt.datetime
    code_version: str
    path: Path
    history_file: Path
    exports_dir: Path
    tables: dict[str, int]
    freshness: Freshness
    seconds: dict[str, float] = field(default_factory=dict)


def code_version() -> str:
    """Package version plus the short git commit when the code is a git checkout."""
    try:
        version = metadata.version("chiso")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=settings.PROJECT_ROOT,
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+g{commit}" if commit else version


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def published_columns(con: duckdb.DuckDBPyConnection, catalog: str,
                      schema: str = PUBLISHED_SCHEMA) -> dict[str, list[tuple[str, str]]]:
    """Every table and view of the schema with its (column, type) in order."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? order by table_name, ordinal_position",
        [catalog, schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _table_exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = ? and table_schema = ? and table_name = ?",
        [catalog, schema, table],
    ).fetchone()[0] > 0


def _comment(con: duckdb.DuckDBPyConnection, alias: str, table: str, doc: TableDoc) -> None:
    target = f"{_quote(alias)}.main.{_quote(table)}"
    con.execute(f"comment on table {target} is {_literal(doc.description)}")
    for column, column_doc in doc.columns.items():
        con.execute(f"comment on column {target}.{_quote(column)} "
                    f"is {_literal(column_doc.description)}")


def _write_new_file(con: duckdb.DuckDBPyConnection, warehouse: str, tmp: Path,
                    tables: dict[str, list[tuple[str, str]]], docs: dict[str, TableDoc],
                    meta: dict[str, object]) -> dict[str, int]:
    alias = f"chiso_new_publication_{secrets.token_hex(4)}"
    con.execute(f"attach {_literal(str(tmp))} as {alias} "
                f"(storage_version {_literal(STORAGE_VERSION)})")
    try:
        counts: dict[str, int] = {}
        # one transaction: every table is read from the same snapshot of the warehouse
        con.execute("begin transaction")
        for table in tables:
            counts[table] = con.execute(
                f"create table {alias}.main.{_quote(table)} as "
                f"select * from {_quote(warehouse)}.{PUBLISHED_SCHEMA}.{_quote(table)}"
            ).fetchone()[0]
            columns = [c for c, _ in tables[table]]
            doc = docs[table.lower()]
            _comment(con, alias, table, TableDoc(doc.name, doc.description, {
                c: doc.columns[c.lower()] for c in columns}))
        _write_metadata(con, warehouse, alias, meta, counts)
        con.execute("commit")
        con.execute(f"checkpoint {alias}")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # no transaction open any more
            con.execute("rollback")
        raise
    finally:
        con.execute(f"detach {alias}")
    return counts


def _write_metadata(con: duckdb.DuckDBPyConnection, warehouse: str, alias: str,
                    meta: dict[str, object], counts: dict[str, int]) -> None:
    con.execute(
        f"create table {alias}.main.{META_TABLE} as select ?::varchar as run_id, "
        "?::timestamp as published_at, ?::varchar as code_version, ?::varchar as name, "
        "?::varchar as storage_version, "
        "?::struct(table_name varchar, row_count bigint)[] as tables, "
        "?::timestamp as data_loaded_through, ?::double as stale_after_days, "
        "?::timestamp as stale_since, ?::boolean as is_stale",
        [meta["run_id"], meta["published_at"], meta["code_version"], meta["name"],
         STORAGE_VERSION, [{"table_name": t, "row_count": n} for t, n in counts.items()],
         meta["data_loaded_through"], meta["stale_after_days"], meta["stale_since"],
         meta["is_stale"]],
    )
    if _table_exists(con, warehouse, "raw", "load_manifest"):
        con.execute(f"create table {alias}.main.{INPUTS_TABLE} as "
                    f"select * from {_quote(warehouse)}.raw.load_manifest order by loaded_at")
    if _table_exists(con, warehouse, "quality", "steward_decisions"):
        con.execute(f"create table {alias}.main.{DECISIONS_TABLE} as "
                    f"select * from {_quote(warehouse)}.quality.steward_decisions")
    written = published_columns(con, alias, "main")
    for table, (description, columns) in META_DOCS.items():
        if table in written:
            present = {c for c, _ in written[table]}
            _comment(con, alias, table, TableDoc(table, description, {
                c: ColumnDoc(d) for c, d in columns.items() if c in present}))


def check_new_file(con: duckdb.DuckDBPyConnection, warehouse: str, tmp: Path,
                   tables: dict[str, list[tuple[str, str]]], run_id: str) -> None:
    """Re-open the new file read-only: every table there, same columns and row counts as the
    warehouse, the right run id, no WAL left beside it."""
    wal = Path(f"{tmp}.wal")
    if wal.exists():
        raise PublicationCheckError(f"a write-ahead log was left beside {tmp.name}")
    alias = f"chiso_check_publication_{secrets.token_hex(4)}"
    con.execute(f"attach {_literal(str(tmp))} as {alias} (read_only)")
    try:
        written = published_columns(con, alias, "main")
        problems: list[str] = []
        for table, columns in tables.items():
            if table not in written:
                problems.append(f"{table} missing")
                continue
            if written[table] != columns:
                problems.append(f"{table} columns differ")
            ours = con.execute(f"select count(*) from {alias}.main.{_quote(table)}").fetchone()[0]
            theirs = con.execute(f"select count(*) from {_quote(warehouse)}.{PUBLISHED_SCHEMA}."
                                 f"{_quote(table)}").fetchone()[0]
            if ours != theirs:
                problems.append(f"{table} has {ours} rows, the warehouse {theirs}")
        meta = con.execute(f"select run_id from {alias}.main.{META_TABLE}").fetchall()
        if meta != [(run_id,)]:
            problems.append(f"{META_TABLE} holds {meta}, not run {run_id}")
        if problems:
            raise PublicationCheckError("the new publication is not swapped in: "
                                        + "; ".join(problems))
    finally:
        con.execute(f"detach {alias}")


def publish(con: duckdb.DuckDBPyConnection, run_id: str, *,
            published: Path | None = None, publications: Path | None = None,
            manifest: Path | None = None, keep: int | None = None,
            partition_rows: int = exports.PARTITION_ROWS,
            now: dt.datetime | None = None,
            stale_after_days: float | None = None) -> Publication:
    """Publish the warehouse's `published` schema through `con`, the pipeline's own (writer)
    connection: the warehouse is never opened a second time."""
    published = (published or settings.published_path()).resolve()
    publications = (publications or settings.publications_dir()).resolve()
    keep = settings.publications_kept() if keep is None else keep
    published_at = (now or dt.datetime.now(TZ)).astimezone(TZ).replace(microsecond=0)
    name = history.publication_name(published_at, run_id)
    warehouse = con.execute("select current_database()").fetchone()[0]
    seconds: dict[str, float] = {}
    fresh = freshness(con, published_at.replace(tzinfo=None),
                      settings.stale_after_days() if stale_after_days is None
                      else stale_after_days, catalog=warehouse)

    tables = published_columns(con, warehouse)
    if not tables:
        raise PublicationCheckError(f"the warehouse has no `{PUBLISHED_SCHEMA}` tables to publish")
    docs = published_docs(manifest)
    require_descriptions({t: [c for c, _ in cols] for t, cols in tables.items()}, docs)

    published.parent.mkdir(parents=True, exist_ok=True)
    publications.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(published, publications)
    tmp = published.parent / f".{published.stem}.{name}.tmp"
    staged_exports = publications / f".{name}.tmp"
    history_file = publications / f"{name}.duckdb"
    exports_dir = publications / name
    swapped = False
    try:
        started = time.perf_counter()
        meta = {"run_id": run_id, "published_at": published_at.replace(tzinfo=None),
                "code_version": code_version(), "name": name,
                "data_loaded_through": fresh.data_loaded_through,
                "stale_after_days": fresh.stale_after_days, "stale_since": fresh.stale_since,
                "is_stale": fresh.is_stale}
        counts = _write_new_file(con, warehouse, tmp, tables, docs, meta)
        seconds["copy"] = time.perf_counter() - started

        started = time.perf_counter()
        check_new_file(con, warehouse, tmp, tables, run_id)
        seconds["check"] = time.perf_counter() - started

        # exports and dashboard come from the new file itself, before the swap: a publication
        # is never in force without them
        started = time.perf_counter()
        exports.write_exports(tmp, staged_exports, docs, partition_rows=partition_rows)
        dashboard.write_dashboard(tmp, staged_exports / "dashboard" / "index.html")
        seconds["exports"] = time.perf_counter() - started

        started = time.perf_counter()
        _link_or_copy(tmp, history_file)
        os.chmod(tmp, 0o444)  # readers open it read-only; shared with the history's hard link
        os.replace(tmp, published)
        swapped = True
        seconds["swap"] = time.perf_counter() - started
        os.replace(staged_exports, exports_dir)
        entry = history.Entry(
            name=name, run_id=run_id, published_at=published_at.isoformat(),
            code_version=str(meta["code_version"]), file=history_file.name,
            exports=exports_dir.name, tables=counts,
        )
        history.record(publications, entry, keep=keep)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        if not swapped:
            history_file.unlink(missing_ok=True)
            shutil.rmtree(staged_exports, ignore_errors=True)
        raise
    return Publication(run_id=run_id, name=name, published_at=published_at,
                       code_version=str(meta["code_version"]), path=published,
                       history_file=history_file, exports_dir=exports_dir, tables=counts,
                       freshness=fresh, seconds=seconds)


def _remove_leftovers(published: Path, publications: Path) -> None:
    """What a publication killed midway (no `except` ran) left behind. Only one publication runs
    at a time: it holds the warehouse, which one process alone may open."""
    for stale in [*published.parent.glob(f".{published.stem}.*.tmp*"),
                  *publications.glob(".*.tmp")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link costs no space; another file system gets a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
