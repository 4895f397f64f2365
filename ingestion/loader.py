"""Load export files into the warehouse's `raw` schema: nothing lost, nothing twice.

A file is known by its content (`sources`): an archive's members (`a.zip!m.csv`) and a
workbook's sheets (`b.xlsx#Sheet2`, when more than one sheet holds data) are inputs of their
own. Per input: its SHA-256 decides whether it was loaded already (then it is skipped); its
header decides its contract; its rows are typed, cleaned, checked against the contract and for
plausibility, and pseudonymised in Arrow; then, in ONE transaction, valid rows whose contract
key is not in raw yet are inserted (a re-sent dossier version counts as loaded, not new),
broken and implausible rows go to raw.quarantine and the input to raw.load_manifest with
rows_in = rows_loaded + rows_quarantined, its encoding and how many ids were repaired. An input
that cannot be read is recorded as rejected with its reason, and the run goes on: every input
of a run gets a result.

Dossier versions and events are checked against raw by their key and the moment they state
(`Contract.resend_moment`): a re-sent row repeats both, so only raw's rows of the new file's
time range are read, and the check costs what the file holds, not what raw holds. A version
or event sent again with another moment is a correction: it is kept beside the first, and the
models take the later one.

An inbox file whose size and modification time are those recorded when it was loaded is
skipped without reading it again (no hash); any other file is hashed, and its content decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from foundation.settings import ingest_workers
from ingestion import layout, readers, sources
from ingestion.answers import long_answers
from ingestion.contracts import Contract
from ingestion.plausibility import implausible
from ingestion.pseudonymise import check_key, redact_message
from ingestion.schema import create_raw_schema
from ingestion.sources import Blob
from ingestion.validate import Checked, check

log = logging.getLogger(__name__)

LOADED, SKIPPED, REJECTED = "loaded", "skipped", "rejected"
VN = dt.timezone(dt.timedelta(hours=7))
TEXT_KINDS = frozenset({"text", "code", "timestamp", "date"})
BULK_CHECKPOINT = "256.0 MiB"
MANY_INPUTS = frozenset({"zip", "gzip", "workbook", "html"})


@dataclass(frozen=True)
class FileLoadResult:
    source_file: str  # relative to the inbox, POSIX separators; `a.zip!m.csv`, `b.xlsx#Sheet2`
    family: str | None
    status: str  # loaded / skipped / rejected
    reason: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_new: int
    seconds: float
    file_sha256: str | None = None
    encoding: str | None = None  # text inputs: the encoding found (utf-8, windows-1258, ...)
    rows_repaired: int = 0  # loaded rows with a code cleaned (normalise.repair_code)
    inbox_file: str | None = None  # the inbox file it came from (an archive, a workbook)


def load_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    *,
    pii_key: bytes,
    families: set[str] | None = None,
    on_file: Callable[[FileLoadResult], None] | None = None,
    workers: int | None = None,
) -> list[FileLoadResult]:
    """Every file under the inbox in path order (names starting with `_` or `.` are not
    inputs), one result per input (an archive's members, a workbook's sheets each have theirs).
    With `families`, only inputs of those contracts are loaded; the others get a `skipped`
    result saying so, and unknown layouts are still recorded as rejected: nothing unnoticed.

    `workers` threads (default: one per core) read, type, check and pseudonymise the next files
    while this one writes: the writer stays one, in path order, and results are those of a
    load one file after the other (0: no look-ahead)."""
    key = check_key(pii_key)  # before anything is written
    create_raw_schema(con)
    known = _loaded_inbox_files(con)
    paths = list(inbox_files(inbox))
    unchanged = {path: _unchanged(path, inbox, known.get(_relative(path, inbox)), families)
                 for path in paths}
    todo = [path for path in paths if unchanged[path] is None]
    # size and time before anything is read: a file that changes while it is read (or waits,
    # read ahead, for the writer) is recorded as it was, so the next run reads it again
    seen = {path: path.stat() for path in todo}
    results = []
    with _bulk_checkpoints(con), _Ahead(
            todo, partial(_prepare_file, inbox=inbox, key=key, families=families),
            ingest_workers() if workers is None else workers) as ahead:
        for path in paths:
            found = unchanged[path]
            if found is None:
                found = _load_prepared(con, path, ahead.take(path), inbox=inbox, key=key,
                                       families=families)
                _record_inbox_file(con, path, inbox, found, seen[path])
            for result in found:
                results.append(result)
                if on_file is not None:
                    on_file(result)
    return results


@dataclass
class _PreparedFile:
    """An inbox file hashed, and its input prepared when it holds one (None: an archive or a
    workbook, whose inputs the writer opens itself)."""

    blob: Blob
    prepared: _Prepared | None
    seconds: float


def _prepare_file(path: Path, *, inbox: Path, key: bytes, families: set[str] | None
                  ) -> _PreparedFile:
    started = time.perf_counter()
    blob = _inbox_blob(path, inbox)
    try:
        kind = sources.sniff(blob)
    except readers.UnreadableFile:
        kind = None  # open_blobs says why
    if kind in MANY_INPUTS:
        return _PreparedFile(blob, None, time.perf_counter() - started)
    item = next(sources.open_blobs(blob))  # a plain file holds one input
    prepared = _Prepared(item[0], REJECTED, reason=item[1]) if isinstance(item, tuple) \
        else _prepare(item, key, families)
    return _PreparedFile(blob, prepared, time.perf_counter() - started)


def _load_prepared(con: duckdb.DuckDBPyConnection, path: Path, ahead: _PreparedFile | None, *,
                   inbox: Path, key: bytes, families: set[str] | None) -> list[FileLoadResult]:
    """What `_load_path` does, with the file's input prepared ahead when it could be."""
    if ahead is None or ahead.prepared is None:  # an archive's or workbook's: hashed already
        return _load_path(con, path, inbox=inbox, key=key, families=families,
                          blob=ahead.blob if ahead else None)
    started = time.perf_counter() - ahead.seconds
    source = ahead.blob.name
    done = _skipped(con, ahead.blob, families, started)
    if done is None:
        done = _finish(con, ahead.prepared, started)
    return [replace(done, inbox_file=source)]


class _Ahead:
    """Files prepared by worker threads in the writer's order, a few ahead of it (reading,
    typing and hashing release the GIL for most of their time). A preparation that failed
    is done again by the writer, which records the failure as the serial load would."""

    def __init__(self, paths: list[Path], prepare: Callable[[Path], _PreparedFile],
                 workers: int) -> None:
        self._prepare = prepare
        self._waiting = deque(paths if workers > 0 else [])
        self._pending: dict[Path, Future[_PreparedFile]] = {}
        self._depth = workers  # each thread busy; with the one writing: workers + 1 files held
        self._pool = ThreadPoolExecutor(workers, "chiso-prepare") if workers > 0 else None

    def __enter__(self) -> _Ahead:
        self._fill()
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self) -> None:
        while self._pool is not None and self._waiting and len(self._pending) < self._depth:
            path = self._waiting.popleft()
            self._pending[path] = self._pool.submit(self._prepare, path)

    def take(self, path: Path) -> _PreparedFile | None:
        future = self._pending.pop(path, None)
        self._fill()
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # the writer's own attempt records what went wrong
            log.debug("preparing %s failed; loading it in order", path, exc_info=True)
            return None


@dataclass(frozen=True)
class _Loaded:
    """An input of an inbox file as the manifest recorded it."""

    source_file: str
    family: str | None
    status: str
    sha256: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class _Read:
    """An inbox file read whole: its size and modification time then, and its inputs."""

    size: int
    mtime_ns: int
    inputs: list[_Loaded]


def _loaded_inbox_files(con: duckdb.DuckDBPyConnection) -> dict[str, _Read]:
    rows = con.execute("""
        select f.inbox_file, f.size, f.mtime_ns, m.source_file, m.family, m.status,
            m.file_sha256, m.loaded_at
        from raw.inbox_files as f, unnest(f.inputs) as i(sha)
        left join raw.load_manifest as m on m.file_sha256 = i.sha
        order by f.inbox_file, m.source_file""").fetchall()
    found: dict[str, _Read] = {}
    for inbox_file, size, mtime_ns, *entry in rows:
        read = found.setdefault(inbox_file, _Read(size, mtime_ns, []))
        read.inputs.append(_Loaded(*entry))
    return found


def _unchanged(path: Path, inbox: Path, read: _Read | None,
               families: set[str] | None) -> list[FileLoadResult] | None:
    """Skipped results for an inbox file read whole before and untouched since (same size and
    modification time: not read again), or None."""
    if read is None or any(entry.status != LOADED for entry in read.inputs):
        return None
    started = time.perf_counter()
    stat = path.stat()
    if (read.size, read.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    source = _relative(path, inbox)
    results = []
    for entry in read.inputs:
        if families is not None and entry.family not in families:
            reason = f"family {entry.family} is not part of this run"
        else:
            reason = f"already loaded on {entry.loaded_at:%Y-%m-%d %H:%M} (same size and time)"
        results.append(FileLoadResult(entry.source_file, entry.family, SKIPPED, reason, 0, 0, 0,
                                      0, time.perf_counter() - started, entry.sha256,
                                      inbox_file=source))
    return results


def _record_inbox_file(con: duckdb.DuckDBPyConnection, path: Path, inbox: Path,
                       results: list[FileLoadResult], stat: os.stat_result) -> None:
    """An inbox file whose every input is in raw now (loaded, or loaded before) is not read
    again while its size and time stay; one with a rejected or skipped-for-now input is.
    `stat`: the file's size and time before it was read."""
    source = _relative(path, inbox)
    con.execute("delete from raw.inbox_files where inbox_file = ?", [source])
    whole = all(r.file_sha256 and (r.status == LOADED or (
        r.status == SKIPPED and r.reason and r.reason.startswith("already loaded")))
        for r in results)
    if not results or not whole:
        return
    con.execute("insert into raw.inbox_files values (?, ?, ?, ?, ?)",
                [source, stat.st_size, stat.st_mtime_ns, [r.file_sha256 for r in results],
                 _now()])


@contextmanager
def _bulk_checkpoints(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Checkpoint less often during a bulk load. DuckDB checkpoints after every commit whose
    WAL passed 16 MiB, and one file's rows are about that: a third of the load time went to
    checkpoints. A bigger WAL costs memory, not safety (it is replayed after a crash)."""
    setting = "select current_setting('checkpoint_threshold')"
    previous = str(con.execute(setting).fetchone()[0])
    if _size_bytes(previous) >= _size_bytes(BULK_CHECKPOINT):
        yield
        return
    con.execute(f"set checkpoint_threshold = '{BULK_CHECKPOINT}'")
    try:
        yield
    finally:
        con.execute(f"set checkpoint_threshold = '{previous}'")


def _size_bytes(text: str) -> float:
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)(i?)B\s*", text)
    if match is None:
        return 0.0
    power = " KMGT".index(match[2] or " ")
    return float(match[1]) * (1024 if match[3] else 1000) ** power


def load_path(con: duckdb.DuckDBPyConnection, path: Path, *, inbox: Path, pii_key: bytes
              ) -> list[FileLoadResult]:
    """One file of the inbox: a result per input it holds (one, or an archive's members or a
    workbook's sheets)."""
    key = check_key(pii_key)
    create_raw_schema(con)
    return _load_path(con, path, inbox=inbox, key=key, families=None)


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, inbox: Path, pii_key: bytes
              ) -> FileLoadResult:
    """A file that holds one input. One that holds several is loaded whole all the same (each
    input in the manifest) and then refused here: use `load_path`."""
    results = load_path(con, path, inbox=inbox, pii_key=pii_key)
    if len(results) != 1:
        raise ValueError(f"{path.name} holds {len(results)} inputs: use load_path")
    return results[0]


def inbox_files(inbox: Path) -> Iterator[Path]:
    for path in sorted(inbox.rglob("*")):
        parts = path.relative_to(inbox).parts
        if path.is_file() and not any(p.startswith(("_", ".")) for p in parts):
            yield path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _relative(path: Path, inbox: Path) -> str:
    try:
        return path.resolve().relative_to(inbox.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _now() -> dt.datetime:
    """Wall-clock time in Vietnam, naive, like every timestamp in raw."""
    return dt.datetime.now(VN).replace(tzinfo=None, microsecond=0)


def _skipped(con: duckdb.DuckDBPyConnection, blob: Blob, families: set[str] | None,
             started: float) -> FileLoadResult | None:
    """The input's content was loaded before, or is a copy of a rejected input under another
    name (then it is skipped), or None."""
    prior = con.execute("select status, source_file, family, loaded_at, reason "
                        "from raw.load_manifest where file_sha256 = ?", [blob.sha256]).fetchone()
    if prior is not None and prior[0] == REJECTED and prior[1] != blob.name:
        # a copy of a rejected input: retrying it would replace the original's manifest row
        return FileLoadResult(blob.name, prior[2], SKIPPED,
                              f"same content as {prior[1]}, rejected: {prior[4]}", 0, 0, 0, 0,
                              time.perf_counter() - started, blob.sha256)
    if prior is None or prior[0] != LOADED:
        return None
    if families is not None and prior[2] not in families:
        reason = f"family {prior[2]} is not part of this run"
    else:
        reason = f"already loaded on {prior[3]:%Y-%m-%d %H:%M}" + (
            f" as {prior[1]}" if prior[1] != blob.name else "")
    return FileLoadResult(blob.name, prior[2], SKIPPED, reason, 0, 0, 0, 0,
                          time.perf_counter() - started, blob.sha256)


def _inbox_blob(path: Path, inbox: Path) -> Blob:
    """An inbox file as an input: its name in the inbox, its content hash, its time."""
    return Blob(_relative(path, inbox), file_sha256(path),
                sources.local_time(path.stat().st_mtime), path=path)


def _load_path(con: duckdb.DuckDBPyConnection, path: Path, *, inbox: Path, key: bytes,
               families: set[str] | None, blob: Blob | None = None) -> list[FileLoadResult]:
    """`blob`: the file as `_inbox_blob` made it, when it was hashed already."""
    started = time.perf_counter()
    blob = blob or _inbox_blob(path, inbox)
    source = blob.name
    done = _skipped(con, blob, families, started)
    if done is not None:
        return [replace(done, inbox_file=source)]
    results: list[FileLoadResult] = []
    try:
        for item in sources.open_blobs(blob):
            if isinstance(item, tuple):
                bad, reason = item
                results.append(_reject(con, bad, None, reason, started))
                continue
            done = _skipped(con, item, families, started) if item is not blob else None
            if done is not None:
                results.append(done)
            elif item.kind in ("workbook", "html"):
                results.extend(_load_sheets(con, item, key, families, started))
            else:
                results.append(_load_blob(con, item, key, families, started))
            started = time.perf_counter()
    except Exception as error:  # a bug must not stop the other files
        log.debug("traceback (may quote row values)", exc_info=True)
        results.append(_internal_error(con, blob, None, _describe(error), started))
    return [replace(r, inbox_file=source) for r in results]


def _load_sheets(con: duckdb.DuckDBPyConnection, blob: Blob, key: bytes,
                 families: set[str] | None, started: float) -> list[FileLoadResult]:
    """Every sheet (HTML: every table) whose header names a layout is its own input, known as
    `file#sheet` unless it is the only one; the sheets matching nothing are named."""
    try:
        sheets = readers.read_sheets(blob)
    except readers.UnreadableFile as error:
        return [_reject(con, blob, None, _with_notes(str(error), blob.notes), started)]
    other = (f"sheets matching no contract: {', '.join(sheets.unmatched)}"
             if sheets.unmatched else None)
    if not sheets.found:
        return [_load_blob(con, blob, key, families, started, raw=sheets.fallback, other=other)]
    results = []
    for name, raw in sheets.found:
        entry = blob
        if len(sheets.found) > 1:
            entry = Blob(f"{blob.name}#{name}",
                         sources.sha256_bytes(f"{blob.sha256}#{name}".encode()),
                         blob.exported_at, path=blob.path, data=blob.data, kind=blob.kind,
                         notes=list(blob.notes))
            done = _skipped(con, entry, families, started)
            if done is not None:
                results.append(done)
                continue
        results.append(_load_blob(con, entry, key, families, started, raw=raw, other=other))
        started = time.perf_counter()
    return results


def _with_notes(reason: str | None, notes: list[str]) -> str | None:
    parts = [p for p in (reason, *notes) if p]
    return "; ".join(parts) if parts else None


def _load_blob(con: duckdb.DuckDBPyConnection, blob: Blob, key: bytes,
               families: set[str] | None, started: float, *, raw: readers.RawFile | None = None,
               other: str | None = None) -> FileLoadResult:
    return _finish(con, _prepare(blob, key, families, raw=raw, other=other), started)


@dataclass
class _Prepared:
    """An input read, typed and checked, not written yet: what needs no warehouse, so it can be
    done ahead of the writer (`_Ahead`). `outcome`: ready, skipped, rejected or error."""

    blob: Blob
    outcome: str
    contract: Contract | None = None
    raw: readers.RawFile | None = None
    checked: Checked | None = None
    reason: str | None = None
    other: str | None = None


def _prepare(blob: Blob, key: bytes, families: set[str] | None, *,
             raw: readers.RawFile | None = None, other: str | None = None) -> _Prepared:
    contract: Contract | None = None
    try:
        header = raw.columns if raw is not None else readers.read_header(blob)
        contract = layout.detect_family(header)
        if contract is None:
            raise readers.UnreadableFile(layout.explain_unknown(header))
        if families is not None and contract.family not in families:
            return _Prepared(blob, SKIPPED, contract,
                             reason=f"family {contract.family} is not part of this run")
        if raw is None:
            raw = readers.read_file(blob, **_reading_hints(contract, header))
        raw = raw.renamed(layout.canonical_columns(contract, raw.columns))
        readers.check_unique(raw.columns)  # two headers standing for one column
        missing = layout.missing_required(contract, raw.columns)
        if missing:
            raise readers.UnreadableFile(
                f"missing required columns for {contract.family}: {', '.join(missing)}")
        for f in layout.from_time(contract, raw.columns):
            stand_in = contract.stands_in(f)
            blob.notes.append(f"no {f.source} column: each row's {f.source} is its "
                              f"{stand_in.source if stand_in else '?'} as yyyyMMddHHmmss")
        checked = check(raw, contract, key)
        checked.add(implausible(contract, checked.typed, blob.exported_at))
        raw.table = pa.table({})  # typed and hashed now: free the file's rows before inserting
        return _Prepared(blob, "ready", contract, raw, checked, other=other)
    except readers.UnreadableFile as error:
        reason = _with_notes(str(error), [*blob.notes, *([other] if other else [])])
        return _Prepared(blob, REJECTED, contract, reason=reason or str(error))
    except Exception as error:  # a bug or a broken disk must not stop the other files
        log.debug("traceback (may quote row values)", exc_info=True)
        return _Prepared(blob, "error", contract, reason=_describe(error))


def _finish(con: duckdb.DuckDBPyConnection, prepared: _Prepared, started: float
            ) -> FileLoadResult:
    """A prepared input into raw (one transaction), or its rejection or skip recorded."""
    blob, contract = prepared.blob, prepared.contract
    if prepared.outcome == SKIPPED:
        return FileLoadResult(blob.name, contract.family if contract else None, SKIPPED,
                              prepared.reason, 0, 0, 0, 0, time.perf_counter() - started,
                              blob.sha256)
    if prepared.outcome == REJECTED:
        return _reject(con, blob, contract, prepared.reason or "unreadable", started)
    if prepared.outcome == "error":
        return _internal_error(con, blob, contract, prepared.reason or "", started)
    try:
        return _write(con, blob, prepared.raw, prepared.checked, started, prepared.other)
    except Exception as error:  # a bug or a broken disk must not stop the other files
        log.debug("traceback (may quote row values)", exc_info=True)
        return _internal_error(con, blob, contract, _describe(error), started)


def _reading_hints(contract: Contract, header: list[str]) -> dict[str, object]:
    """Columns (as the file spells them) to read as text, and code widths to pad numbers to."""
    sources_of = dict(zip(header, layout.canonical_columns(contract, header), strict=True))
    text = {f.source for f in contract.fields if f.kind in TEXT_KINDS or f.pii}
    widths = {f.source: f.width for f in contract.fields if f.width}
    text_columns = text | {c for c, s in sources_of.items() if s in text}
    return {"text_columns": text_columns,
            "widths": widths | {c: widths[s] for c, s in sources_of.items() if s in widths}}


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {redact_message(str(error))}"


def _internal_error(con: duckdb.DuckDBPyConnection, blob: Blob, contract: Contract | None,
                    message: str, started: float) -> FileLoadResult:
    log.error("loading %s failed: %s", blob.name, message)
    return _reject(con, blob, contract, f"internal error while loading: {message}", started)


def _write(con: duckdb.DuckDBPyConnection, blob: Blob, raw: readers.RawFile,
           checked: Checked, started: float, other: str | None = None) -> FileLoadResult:
    source, sha = blob.name, blob.sha256
    contract = checked.contract
    loaded_at = _now()
    valid = checked.valid
    rows_loaded = int(valid.sum())
    rows_repaired = int((checked.repaired & valid).sum()) if checked.repaired is not None else 0
    quarantine = _quarantine_rows(source, sha, contract.family, raw, checked, loaded_at)
    units = _unit_rows(sha, checked)
    rows_quarantined = int((~valid).sum()) + checked.broken.num_rows
    rows_in = raw.rows_in
    assert rows_in == rows_loaded + rows_quarantined, "row accounting must balance"
    ignored = layout.ignored_columns(contract, raw.columns)
    reason = _with_notes(
        f"ignored columns not in the contract: {', '.join(ignored)}" if ignored else None,
        [*blob.notes, *([other] if other else [])])
    keep = pa.array(valid)
    staged = checked.typed if valid.all() else checked.typed.filter(keep)
    source_rows = pa.array(raw.rows[valid], pa.int64())
    staged = staged.append_column("_source_row", source_rows)
    lineage = Lineage(source, sha, loaded_at)
    answers = None
    if contract.answers_table:
        answers = long_answers(
            staged.column("survey_id").combine_chunks(),
            staged.column("respondent_id").combine_chunks(),
            {code: values.filter(keep) for code, values in checked.answers.items()},
            source_rows)
    con.begin()
    try:
        _forget(con, sha)
        moment = contract.field(contract.resend_moment).column if contract.resend_moment \
            else None
        rows_new = _insert_new(con, contract.table, staged,
                               [contract.field(k).column for k in contract.key], lineage,
                               moment)
        if answers is not None and contract.answers_table:
            _insert_new(con, contract.answers_table, answers,
                        ["survey_id", "respondent_id", "question_code"], lineage)
        _insert(con, "quarantine", quarantine)
        _insert(con, "load_units", units)
        seconds = time.perf_counter() - started
        _manifest(con, source, sha, contract.family, LOADED, reason,
                  (rows_in, rows_loaded, rows_quarantined, rows_new), loaded_at, seconds,
                  blob.encoding, rows_repaired)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return FileLoadResult(source, contract.family, LOADED, reason, rows_in, rows_loaded,
                          rows_quarantined, rows_new, seconds, sha, blob.encoding, rows_repaired)


@dataclass(frozen=True)
class Lineage:
    """What every raw row of an input carries besides its row number: the same for all its
    rows, so the insert writes it as constants instead of columns of copies."""

    source_file: str
    file_sha256: str
    loaded_at: dt.datetime


def _repeat(text: str, n: int) -> pa.Array:
    return pa.array([text], pa.string()).take(pa.array(np.zeros(n, np.int32)))


def _quarantine_rows(source: str, sha: str, family: str, raw: readers.RawFile, checked: Checked,
                     at: dt.datetime) -> pa.Table:
    found = checked.violations
    broken = checked.broken
    index = found.column("index").to_numpy()
    rows = np.concatenate([raw.rows[index], broken.column("row").to_numpy()]).astype(np.int64)
    n = len(rows)
    units = _row_units(checked)
    unit_code = (pa.concat_arrays([units.take(pa.array(index, pa.int64())),
                                   pa.nulls(broken.num_rows, pa.string())])
                 if units is not None else pa.nulls(n, pa.string()))
    return pa.table({
        "source_file": _repeat(source, n),
        "file_sha256": _repeat(sha, n),
        "family": _repeat(family, n),
        "source_row": pa.array(rows),
        "field": pa.concat_arrays([found.column("field").combine_chunks(),
                                   pa.nulls(broken.num_rows, pa.string())]),
        "reason": pa.concat_arrays([found.column("reason").combine_chunks(),
                                    broken.column("reason").combine_chunks()]),
        "raw_value": pa.concat_arrays([found.column("raw_value").combine_chunks(),
                                       broken.column("raw_value").combine_chunks()]),
        "quarantined_at": pa.array(np.full(n, np.datetime64(at, "us"))),
        "unit_code": unit_code,
    })


def _row_units(checked: Checked) -> pa.Array | None:
    """Each row's reporting unit as the file names it (null where it did not), for contracts
    that have one."""
    contract = checked.contract
    if contract.unit is None:
        return None
    return checked.typed.column(contract.field(contract.unit).column).combine_chunks().cast(
        pa.string())


def _unit_rows(sha: str, checked: Checked) -> pa.Table:
    """Rows in and quarantined per unit of the input; unparseable rows have no unit."""
    units = _row_units(checked)
    if units is None:
        return pa.table({})
    bad = pa.array((~checked.valid).astype(np.int64))
    per_row = pa.table({"unit_code": units, "rows_in": pa.array(np.ones(len(units), np.int64)),
                        "rows_quarantined": bad})
    broken = checked.broken.num_rows
    if broken:
        per_row = pa.concat_tables([per_row, pa.table({
            "unit_code": pa.nulls(broken, pa.string()),
            "rows_in": pa.array(np.ones(broken, np.int64)),
            "rows_quarantined": pa.array(np.ones(broken, np.int64))})])
    grouped = per_row.group_by("unit_code").aggregate([("rows_in", "sum"),
                                                       ("rows_quarantined", "sum")])
    return pa.table({"file_sha256": _repeat(sha, grouped.num_rows),
                     "unit_code": grouped.column("unit_code"),
                     "rows_in": grouped.column("rows_in_sum"),
                     "rows_quarantined": grouped.column("rows_quarantined_sum")})


def _forget(con: duckdb.DuckDBPyConnection, sha: str) -> None:
    """A file retried after a rejection replaces its earlier manifest and quarantine rows
    (a content never seen has none: the manifest's key answers that without a scan)."""
    if not con.execute("select 1 from raw.load_manifest where file_sha256 = ?",
                       [sha]).fetchall():
        return
    con.execute("delete from raw.quarantine where file_sha256 = ?", [sha])
    con.execute("delete from raw.load_units where file_sha256 = ?", [sha])
    con.execute("delete from raw.load_manifest where file_sha256 = ?", [sha])


def _insert_new(con: duckdb.DuckDBPyConnection, table: str, staged: pa.Table,
                key: list[str], lineage: Lineage, moment: str | None = None) -> int:
    """Bulk insert of the rows whose key (and moment, when the contract names one) is not in
    raw yet, with their lineage; returns how many were new. With a moment, raw is read only
    within the staged rows' range of it: a literal range DuckDB's zone maps prune on."""
    if staged.num_rows == 0:
        return 0
    view = f"_staged_{table}"
    columns = ", ".join(staged.column_names)
    match = " and ".join(f"r.{k} = s.{k}" for k in (*key, *([moment] if moment else [])))
    if moment:
        low, high = pc.min_max(staged.column(moment)).values()
        if low.is_valid:  # required, so present; a literal lets the scan skip row groups
            match += (f" and r.{moment} between timestamp '{low.as_py()}' "
                      f"and timestamp '{high.as_py()}'")
    con.register(view, staged)
    try:
        inserted = con.execute(
            f"insert into raw.{table} ({columns}, _source_file, _file_sha256, _loaded_at) "
            f"select {columns}, ?, ?, ? from {view} s "
            f"where not exists (select 1 from raw.{table} r where {match})",
            [lineage.source_file, lineage.file_sha256, lineage.loaded_at]).fetchone()
    finally:
        con.unregister(view)
    return int(inserted[0]) if inserted else 0


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    if rows.num_rows == 0:
        return
    view = f"_staged_{table}"
    con.register(view, rows)
    try:
        columns = ", ".join(rows.column_names)
        con.execute(f"insert into raw.{table} ({columns}) select {columns} from {view}")
    finally:
        con.unregister(view)


def _manifest(con: duckdb.DuckDBPyConnection, source: str, sha: str, family: str | None,
              status: str, reason: str | None, counts: tuple[int, int, int, int],
              at: dt.datetime, seconds: float, encoding: str | None = None,
              rows_repaired: int = 0) -> None:
    con.execute(
        "insert into raw.load_manifest (source_file, file_sha256, family, status, reason, "
        "rows_in, rows_loaded, rows_quarantined, rows_new, loaded_at, seconds, encoding, "
        "rows_repaired) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [source, sha, family, status, reason, *counts, at, seconds, encoding, rows_repaired])


def _reject(con: duckdb.DuckDBPyConnection, blob: Blob, contract: Contract | None,
            reason: str, started: float) -> FileLoadResult:
    """The whole input stays out of raw: one manifest row and one file-level quarantine row."""
    source, sha = blob.name, blob.sha256
    family = contract.family if contract else None
    at = _now()
    seconds = time.perf_counter() - started
    con.begin()
    try:
        _forget(con, sha)
        con.execute(
            "insert into raw.quarantine (source_file, file_sha256, family, source_row, field, "
            "reason, raw_value, quarantined_at) values (?, ?, ?, null, null, ?, null, ?)",
            [source, sha, family, reason, at])
        _manifest(con, source, sha, family, REJECTED, reason, (0, 0, 0, 0), at, seconds,
                  blob.encoding)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return FileLoadResult(source, family, REJECTED, reason, 0, 0, 0, 0, seconds, sha,
                          blob.encoding)
