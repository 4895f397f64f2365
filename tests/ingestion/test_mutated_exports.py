"""Property: however an export is damaged, loading never raises and never loses a row silently.

Valid small exports of each format (CSV, JSON Lines, Parquet, XLSX, an HTML table saved as
.xls, and CSV inside .gz and .zip) are mutated by Hypothesis: bytes, lines and cells deleted,
duplicated and swapped, the file truncated, re-encoded, control characters inserted. For every
input the loader reports, rows_in = rows_loaded + rows_quarantined, the manifest, raw and
raw.quarantine agree, and a rejected input has its reason.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.loader import load_inbox, load_path
from tests.ingestion.helpers import (
    EVENT_COLUMNS,
    PII_KEY,
    RECORD_COLUMNS,
    assert_accounted,
    csv_bytes,
    event,
    record,
)
from tests.ingestion.mutations import STEPS, mutate

EVENTS = [event(1), event(2, GhiChu="Bổ sung, lần 2"), event(3, LoaiSuKien="DA_XU_LY")]


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, EVENT_COLUMNS)
    for i, row in enumerate(EVENTS, start=1):
        sheet.write_row(i, 0, ["" if row[c] is None else row[c] for c in EVENT_COLUMNS])
    book.close()
    return buffer.getvalue()


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(EVENTS), buffer)
    return buffer.getvalue()


def _html() -> bytes:
    head = "".join(f"<th>{c}</th>" for c in EVENT_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{r[c] or ''}</td>" for c in EVENT_COLUMNS) + "</tr>"
                   for r in EVENTS)
    return f"<html><body><table><tr>{head}</tr>{body}</table></body></html>".encode()


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


CSV = csv_bytes(EVENT_COLUMNS, EVENTS)
VALID = {
    "su_kien.csv": CSV,
    "ho_so.jsonl": "".join(json.dumps(record(i), ensure_ascii=False) + "\n"
                           for i in (1, 2)).encode(),
    "ho_so_title.csv": "BÁO CÁO HỒ SƠ\n\n".encode() + csv_bytes(RECORD_COLUMNS, [record(1)]),
    "su_kien.parquet": _parquet(),
    "su_kien.xlsx": _xlsx(),
    "su_kien.xls": _html(),
}
CONTAINERS = {"su_kien.csv.gz": gzip.compress, "thang.zip": lambda d: _zip("su_kien.csv", d)}


NAMES = st.sampled_from([*VALID, *CONTAINERS])


def _check_every_result(con: duckdb.DuckDBPyConnection, results: list) -> None:
    assert results, "every file gets at least one result"
    for result in results:
        assert_accounted(con, result)  # rows_in = loaded + quarantined, manifest and raw agree
        if result.status == "rejected":
            assert result.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, steps=st.lists(STEPS, min_size=1, max_size=3),
       wrong_name=st.booleans())
def test_a_mutated_export_never_raises_and_never_loses_a_row(name: str, steps: list,
                                                             wrong_name: bool) -> None:
    if name in CONTAINERS:
        data = CSV
        for step in steps:
            data = mutate(data, step)
        data = CONTAINERS[name](data)
    else:
        data = VALID[name]
        for step in steps:
            data = mutate(data, step)
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder)
        path = inbox / (name + ".csv" if wrong_name else name)  # a name that lies
        path.write_bytes(data)
        con = duckdb.connect()
        try:
            _check_every_result(con, load_path(con, path, inbox=inbox, pii_key=PII_KEY))
        finally:
            con.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(NAMES, st.lists(STEPS, max_size=2)), min_size=2, max_size=4))
def test_a_mutated_inbox_gives_a_result_for_every_input(files: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder)
        for n, (name, steps) in enumerate(files):
            data = CSV if name in CONTAINERS else VALID[name]
            for step in steps:
                data = mutate(data, step)
            if name in CONTAINERS:
                data = CONTAINERS[name](data)
            (inbox / f"{n}_{name}").write_bytes(data)
        con = duckdb.connect()
        try:
            results = load_inbox(con, inbox, pii_key=PII_KEY)
            _check_every_result(con, results)
            # each file is there, by its own name or as the archive of its members
            names = {r.source_file.split("!")[0].split("#")[0] for r in results}
            assert names == {p.name for p in inbox.iterdir()}
        finally:
            con.close()


def test_the_unmutated_exports_load_whole() -> None:
    """The property above starts from files that load every row (else it would prove little)."""
    expected = {"ho_so.jsonl": 2, "ho_so_title.csv": 1}
    for name in [*VALID, *CONTAINERS]:
        data = CONTAINERS[name](CSV) if name in CONTAINERS else VALID[name]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            con = duckdb.connect()
            [result] = load_path(con, path, inbox=Path(folder), pii_key=PII_KEY)
            con.close()
        rows = expected.get(name, 3)
        assert (name, result.status, result.rows_in, result.rows_loaded) == (
            name, "loaded", rows, rows)
