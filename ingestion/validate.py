"""A file's rows against its contract: typed columns, personal data hashed, and every violation.

Nothing here drops a row: each violation names the row, the field, the reason and the value
as the file had it (a hash for personal data), and the loader sends the row to quarantine.
A row may break several rules; it still counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion import dates, pseudonymise
from ingestion.contracts import Contract, Field
from ingestion.layout import answer_columns, fold, from_time, value_codes
from ingestion.normalise import (
    ARROW_TYPES,
    as_text,
    coerce,
    pad_code,
    repair_code,
    spelled_missing,
    time_number,
    to_int,
)
from ingestion.readers import RawFile

MAX_RAW_VALUE = 2_000  # a broken line is kept for diagnosis, not as a copy of the file

MISSING = "missing required value"
BAD_VALUE = {
    "timestamp": f"unparseable date: expected {dates.EXPECTED}",
    "date": f"unparseable date: expected {dates.EXPECTED}",
    "int": "not an integer",
    "flag": "not a 0/1 flag",
    "float": "not a number",
}


def unknown_code(allowed: frozenset[str]) -> str:
    return "unknown code: expected one of " + ", ".join(sorted(allowed, key=_natural))


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 30, value)


@dataclass
class Violations:
    """Row violations as parallel lists of arrays (row index into the table)."""

    index: list[np.ndarray] = default(default_factory=list)
    field: list[pa.Array] = default(default_factory=list)
    reason: list[pa.Array] = default(default_factory=list)
    raw_value: list[pa.Array] = default(default_factory=list)

    def add(self, mask: np.ndarray, field_name: str | None, reason: str | pa.Array,
            raw: pa.Array | None) -> None:
        where = np.flatnonzero(mask)
        if not len(where):
            return
        picked = pa.array(where)
        self.index.append(where.astype(np.int64))
        self.field.append(pa.nulls(len(where), pa.string()) if field_name is None
                          else pa.array([field_name] * len(where), pa.string()))
        self.reason.append(pa.array([reason] * len(where), pa.string())
                           if isinstance(reason, str) else reason.take(picked))
        self.raw_value.append(pa.nulls(len(where), pa.string()) if raw is None
                              else raw.take(picked))

    def table(self) -> pa.Table:
        if not self.index:
            return pa.table({"index": pa.array([], pa.int64()), "field": pa.array([], pa.string()),
                             "reason": pa.array([], pa.string()),
                             "raw_value": pa.array([], pa.string())})
        return pa.table({
            "index": pa.array(np.concatenate(self.index)),
            "field": pa.concat_arrays(self.field),
            "reason": pa.concat_arrays(self.reason),
            "raw_value": pa.concat_arrays(self.raw_value),
        })

    def rows(self, n: int) -> np.ndarray:
        """Bool per table row: has at least one violation."""
        bad = np.zeros(n, bool)
        for index in self.index:
            bad[index] = True
        return bad


@dataclass
class Checked:
    contract: Contract
    typed: pa.Table  # one column per contract field (`Field.column`), every row of the file
    answers: dict[str, pa.Array]  # wide surveys: question code -> typed answers
    violations: pa.Table  # index, field, reason, raw_value
    valid: np.ndarray  # bool per table row
    broken: pa.Table  # rows the reader could not parse: row, reason, raw_value (redacted)
    repaired: np.ndarray | None = None  # bool per row: a code was cleaned (repair_code)

    def add(self, more: pa.Table) -> None:
        """Violations found after the contract (plausibility): those rows are no longer valid."""
        if not more.num_rows:
            return
        self.violations = pa.concat_tables([self.violations, more.select(
            self.violations.column_names).cast(self.violations.schema)])
        self.valid[more.column("index").to_numpy()] = False


def check(raw: RawFile, contract: Contract, pii_key: bytes) -> Checked:
    n = raw.table.num_rows
    found = Violations()
    typed: dict[str, pa.Array] = {}
    fingerprint: dict[str, pa.Array] = {}
    repaired = np.zeros(n, bool)
    repaired_keys: list[str] = []
    left_out = from_time(contract, raw.columns)
    for f in contract.fields:
        if f in left_out:
            continue
        column = _column(raw, f.source, n)
        if f.pii:
            spelled = spelled_missing(column if pa.types.is_string(column.type)
                                      else as_text(column, nfc=False))
            if spelled is not None:  # "NULL" is nobody: it must not become one applicant
                column = pc.if_else(pa.array(~spelled), column, pa.scalar(None, column.type))
            typed[f.column] = pseudonymise.pseudonymise(column, f.pii, pii_key)
            fingerprint[f.source] = typed[f.column]
            if f.required:
                found.add(~typed[f.column].is_valid().to_numpy(zero_copy_only=False), f.source,
                          MISSING, None)
            continue
        typed[f.column], fixed = _check_field(f, column, found)
        if fixed is not None:
            repaired |= fixed
            if f.name in contract.key:
                repaired_keys.append(f.source)
    for f in left_out:  # a row without its time is already quarantined for that
        stand_in = contract.stands_in(f)
        assert stand_in is not None
        typed[f.column] = time_number(typed[stand_in.column])
    answers: dict[str, pa.Array] = {}
    for source in answer_columns(contract, raw.columns):
        column = _column(raw, source, n)
        coerced = to_int(column)
        found.add(coerced.bad, source, BAD_VALUE["int"], as_text(column, nfc=False))
        answers[source] = coerced.values
    for name in raw.columns:
        if name not in fingerprint:
            fingerprint[name] = raw.table.column(name)
    table = pa.table(typed) if typed else pa.table({})
    if repaired_keys:
        _repair_collisions(raw, contract, table, repaired, repaired_keys, found)
    _duplicates(raw, contract, table, fingerprint, found)
    valid = ~found.rows(n)
    return Checked(contract, table, answers, found.table(), valid, _broken(raw, contract),
                   repaired if repaired.any() else None)


def _column(raw: RawFile, source: str, n: int) -> pa.Array:
    if source not in raw.table.column_names:
        return pa.nulls(n, pa.string())
    column = raw.table.column(source)
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _check_field(f: Field, column: pa.Array, found: Violations
                 ) -> tuple[pa.Array, np.ndarray | None]:
    """The typed column, and (codes) which rows were cleaned (control characters, ...)."""
    if f.percent and pa.types.is_string(column.type):
        column = pc.replace_substring_regex(column, r"\s*%\s*$", "")
    coerced = coerce(column, f.kind)
    values = coerced.values.cast(ARROW_TYPES[f.kind])
    bad = coerced.bad
    if f.kind != "text" and bad.any():  # "NULL" in a time column: missing, not a bad time
        spelled = spelled_missing(as_text(column, nfc=False))
        bad = bad & ~spelled if spelled is not None else bad
    if f.width and (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        values = pad_code(values, f.width)  # a numeric cell lost the code's leading zeros
    repaired = coerced.repaired
    if f.kind == "code":
        digits = f.width if f.width is not None else (
            max(map(len, f.allowed)) if f.allowed and all(c.isdigit() for c in f.allowed)
            else None)
        values, fixed = repair_code(values, digits=digits)
        if fixed is not None:
            repaired = fixed if repaired is None else repaired | fixed
        spelled = spelled_missing(values)
        if spelled is not None:
            values = pc.if_else(pa.array(spelled), pa.scalar(None, pa.string()), values)
    raw_text = None
    if bad.any():
        raw_text = as_text(column, nfc=False)
        found.add(bad, f.source, BAD_VALUE[f.kind], raw_text)
    if f.allowed is not None:
        text = values if pa.types.is_string(values.type) else values.cast(pa.string())
        unknown = pc.and_(text.is_valid(), pc.invert(pc.is_in(text, pa.array(sorted(f.allowed)))))
        unknown_mask = unknown.to_numpy(zero_copy_only=False)
        if unknown_mask.any() and f.kind == "code":  # a name for the code, or another spelling
            values, unknown_mask = _codes_from_labels(f, values, unknown_mask)
        if unknown_mask.any():
            raw_text = raw_text if raw_text is not None else as_text(column, nfc=False)
            found.add(unknown_mask, f.source, unknown_code(f.allowed), raw_text)
    if f.required:
        found.add(~values.is_valid().to_numpy(zero_copy_only=False) & ~bad, f.source, MISSING,
                  None)
    return values, repaired if f.kind == "code" else None


def _codes_from_labels(f: Field, values: pa.Array, unknown: np.ndarray
                       ) -> tuple[pa.Array, np.ndarray]:
    """The unknown values that are a code's name or spelling (layout.value_codes), as codes;
    and the values still unknown."""
    assert f.allowed is not None
    table = value_codes(f.source, f.allowed)
    rows = np.flatnonzero(unknown)
    unknown_values = values.take(pa.array(rows))
    distinct = pc.unique(unknown_values)  # a file of names repeats a handful of them
    codes = pa.array([table.get(fold(v)) for v in distinct.to_pylist()], pa.string())
    found = pc.take(codes, pc.index_in(unknown_values, distinct))
    read = found.is_valid()
    if not pc.any(read).as_py():
        return values, unknown
    known = np.zeros(len(values), bool)
    known[rows[read.to_numpy(zero_copy_only=False)]] = True
    return pc.replace_with_mask(values, pa.array(known), found.filter(read)), unknown & ~known


def _repair_collisions(raw: RawFile, contract: Contract, typed: pa.Table, repaired: np.ndarray,
                       sources: list[str], found: Violations) -> None:
    """An id that was cleaned (`normalise.repair_code`) must not become another row's id: the
    repaired row goes to quarantine instead (the unrepaired one, if any, keeps the key)."""
    n = typed.num_rows
    key_columns = [contract.field(k).column for k in contract.key]
    keyed = typed.select(key_columns).append_column("__i", pa.array(np.arange(n)))
    groups = keyed.group_by(key_columns, use_threads=False).aggregate([("__i", "list")])
    members = groups.column("__i_list")
    shared = members.filter(pc.greater(pc.list_value_length(members), 1))
    clash = np.zeros(n, bool)
    other = np.zeros(n, np.int64)
    for group in shared.to_pylist():  # the few keys that occur twice
        rows = sorted(group)
        fixed = [r for r in rows if repaired[r]]
        if not fixed:
            continue
        keeper = next((r for r in rows if not repaired[r]), None)
        for r in fixed:
            twin = keeper if keeper is not None else next(x for x in rows if x != r)
            clash[r] = True
            other[r] = raw.rows[twin]
    if clash.any():
        names = ", ".join(sources)
        reasons = pa.array([f"id repair would collide: {names} cleaned (control or invisible "
                            f"characters, Excel's text marks) gives the key of row {o}"
                            for o in other[clash]],
                           pa.string())
        found.add(clash, names, _scatter(reasons, clash, n), None)


def _duplicates(raw: RawFile, contract: Contract, typed: pa.Table,
                fingerprint: dict[str, pa.Array], found: Violations) -> None:
    """Exact copies of an earlier row, then a key seen earlier with different values.

    Only rows sharing a key can be copies, so the full-row comparison runs on those few."""
    n = typed.num_rows
    if n < 2:
        return
    key_columns = [contract.field(k).column for k in contract.key]
    if _all_distinct(typed, key_columns):  # the usual case, at hash speed without lists
        return
    keyed = typed.select(key_columns).append_column("__i", pa.array(np.arange(n)))
    groups = keyed.group_by(key_columns, use_threads=False).aggregate([("__i", "list")])
    members = groups.column("__i_list")
    shared = pc.greater(pc.list_value_length(members), 1)
    if not pc.any(shared).as_py():
        return
    candidates = np.sort(pc.list_flatten(members.filter(shared)).to_numpy())
    prints = pa.table({f"c{i}": _groupable(v).take(pa.array(candidates))
                       for i, v in enumerate(fingerprint.values())})
    prints = prints.append_column("__i", pa.array(candidates))
    copies = np.zeros(n, bool)
    copy_of = np.zeros(n, np.int64)
    same = prints.group_by([c for c in prints.column_names if c != "__i"], use_threads=False) \
        .aggregate([("__i", "list")]).column("__i_list")
    for group in same.filter(pc.greater(pc.list_value_length(same), 1)).to_pylist():
        first, *rest = sorted(group)
        copies[rest] = True
        copy_of[rest] = raw.rows[first]
    if copies.any():
        reasons = pa.array([f"exact duplicate of row {r}" for r in copy_of[copies]], pa.string())
        found.add(copies, None, _scatter(reasons, copies, n), None)
    # same key, different values: the first clean row wins, later ones wait in quarantine
    clean = ~found.rows(n)
    mask = np.zeros(n, bool)
    mask[candidates] = True
    mask &= clean
    if not mask.any():
        return
    sub = keyed.filter(pa.array(mask))
    clashes = sub.group_by(key_columns, use_threads=False).aggregate([("__i", "list")])
    lists = clashes.column("__i_list")
    clashing = pc.greater(pc.list_value_length(lists), 1)
    later = np.zeros(n, bool)
    reasons_by_row: dict[int, str] = {}
    names = ", ".join(f"{k}=" + "{}" for k in contract.key)
    for group in lists.filter(clashing).to_pylist():  # a handful of rows
        first, *rest = sorted(group)
        values = [typed.column(c)[first].as_py() for c in key_columns]
        for r in rest:
            later[r] = True
            reasons_by_row[r] = (f"duplicate key ({names.format(*values)}) of row "
                                 f"{raw.rows[first]} with different values")
    if later.any():
        reasons = pa.array([reasons_by_row[int(i)] for i in np.flatnonzero(later)], pa.string())
        found.add(later, ", ".join(contract.field(k).source for k in contract.key),
                  _scatter(reasons, later, n), None)


def _all_distinct(typed: pa.Table, columns: list[str]) -> bool:
    """No two rows share a key (nulls count as a value, as in group_by below)."""
    return typed.select(columns).group_by(columns, use_threads=False).aggregate([]).num_rows \
        == typed.num_rows


def _scatter(values: pa.Array, mask: np.ndarray, n: int) -> pa.Array:
    """Values for the rows of `mask` spread over n rows (nulls elsewhere)."""
    positions = np.full(n, -1, np.int64)
    positions[mask] = np.arange(int(mask.sum()))
    return values.take(pa.array(positions, mask=positions < 0))


def _groupable(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_null(values.type) or pa.types.is_nested(values.type) \
            or pa.types.is_dictionary(values.type):
        return as_text(values, nfc=False)
    return values


def _broken(raw: RawFile, contract: Contract) -> pa.Table:
    """Unparseable rows with their text, personal values replaced before anything is kept."""
    sources = [f.source for f in contract.fields if f.pii]
    texts = []
    for b in raw.broken:
        if b.fields is not None:
            fields = pseudonymise.redact_fields(b.fields, raw.columns, sources)
            text = ",".join(fields)
        else:
            text = pseudonymise.redact_json_line(b.text, sources)
        texts.append(text[:MAX_RAW_VALUE])
    return pa.table({
        "row": pa.array([b.row for b in raw.broken], pa.int64()),
        "reason": pa.array([b.reason for b in raw.broken], pa.string()),
        "raw_value": pa.array(texts, pa.string()),
    })
