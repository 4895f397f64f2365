"""Which contract a file follows, recognised by its header (never by its path).

Headers are matched as people write them: case, surrounding and inner blanks, punctuation and
Vietnamese diacritics do not matter (`Mã hồ sơ`, `ma_ho_so` and `MaHoSo` are one column), and
the labels the portal and the one-stop systems print are mapped to the contract's source
columns by `header_labels.csv` (label, source column, optional family, where the label comes
from, whether anyone confirmed it).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingestion.contracts import CONTRACTS, Contract, Field

LABELS_FILE = Path(__file__).with_name("header_labels.csv")
VALUE_LABELS_FILE = Path(__file__).with_name("value_labels.csv")


def clean_column(name: object) -> str:
    """Header cell as the contract spells it: BOM, surrounding blanks and NFD removed."""
    return unicodedata.normalize("NFC", str(name)).lstrip("\ufeff").strip()


@cache
def fold(name: str) -> str:
    """The matching key of a header: no diacritics (đ is d), no case, letters and digits only."""
    text = unicodedata.normalize("NFD", clean_column(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]", "", text)


@dataclass(frozen=True)
class Label:
    label: str
    source_column: str
    family: str | None
    origin: str
    confirmed: bool


@cache
def labels() -> tuple[Label, ...]:
    with LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = tuple(Label(unicodedata.normalize("NFC", r["label"]).strip(), r["source_column"],
                        r["family"] or None, r["origin"], r["confirmed"] == "true")
                  for r in rows)
    sources = {f.source for c in CONTRACTS for f in c.fields}
    unknown = sorted({lb.source_column for lb in found} - sources)
    if unknown:
        raise ValueError(f"{LABELS_FILE.name}: no contract has the columns {unknown}")
    return found


@cache
def _lookup(contract: Contract) -> dict[str, str]:
    """Folded header -> the contract's source column."""
    table: dict[str, str] = {}
    for lb in labels():
        if lb.family in (None, contract.family) and lb.source_column in {
                f.source for f in contract.fields}:
            table.setdefault(fold(lb.label), lb.source_column)
    for lb in labels():  # a family's own label wins over a general one
        if lb.family == contract.family:
            table[fold(lb.label)] = lb.source_column
    for f in contract.fields:
        table[fold(f.source)] = f.source
    return table


def canonical_columns(contract: Contract, columns: Iterable[object]) -> list[str]:
    """Each header as the contract's source column it stands for (unknown ones only cleaned)."""
    table = _lookup(contract)
    return [table.get(fold(str(c)), clean_column(c)) for c in columns]


def matching(columns: Iterable[object]) -> list[Contract]:
    """Contracts whose signature is present, the most specific first: a file of a province's
    internal index also carries the PAR score signature, but the internal one is a superset."""
    columns = list(columns)
    found = [c for c in CONTRACTS if c.signature <= set(canonical_columns(c, columns))]
    return [c for c in found if not any(c.signature < o.signature for o in found)]


def detect_family(columns: Iterable[object]) -> Contract | None:
    """The one contract a header belongs to, or None (no match, or an ambiguous one)."""
    found = matching(columns)
    return found[0] if len(found) == 1 else None


def explain_unknown(columns: Iterable[object]) -> str:
    """Why no contract was chosen, in words a data steward can act on."""
    present = [clean_column(c) for c in columns]
    found = matching(present)
    if len(found) > 1:
        names = ", ".join(c.family for c in found)
        return f"ambiguous layout: the columns match several contracts ({names})"
    shown = ", ".join(present[:12]) + (", ..." if len(present) > 12 else "")

    def share(c: Contract) -> float:
        return len(c.signature & set(canonical_columns(c, present))) / len(c.signature)

    best = max(CONTRACTS, key=share)
    missing = sorted(best.signature - set(canonical_columns(best, present)))
    return (f"unknown layout: columns [{shown}] match no contract "
            f"(closest: {best.family}, missing {', '.join(missing)})")


def missing_required(contract: Contract, columns: Iterable[object]) -> list[str]:
    present = set(canonical_columns(contract, columns))
    return sorted(f.source for f in contract.fields if f.required and f.source not in present
                  and (f.from_time is None or contract.stands_in(f).source not in present))


def from_time(contract: Contract, columns: Iterable[object]) -> list[Field]:
    """The fields a file leaves out whose value its rows' times stand in for."""
    present = set(canonical_columns(contract, columns))
    return [f for f in contract.fields if f.from_time is not None and f.source not in present]


def answer_columns(contract: Contract, columns: Iterable[object]) -> list[str]:
    if not contract.answer_columns:
        return []
    pattern = re.compile(contract.answer_columns)
    return [c for c in (clean_column(c) for c in columns) if pattern.match(c)]


def ignored_columns(contract: Contract, columns: Iterable[object]) -> list[str]:
    known = {f.source for f in contract.fields} | set(answer_columns(contract, columns))
    return [c for c in canonical_columns(contract, columns) if c not in known]


def header_row(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the first row that names a known layout (report titles sit above it)."""
    for i, row in enumerate(rows):
        if matching(str(v) for v in row if v not in ("", None)):
            return i
    return None


@cache
def value_codes(source_column: str, allowed: frozenset[str]) -> dict[str, str]:
    """Folded value -> code, for a column with a closed list of codes: each code however it is
    written (`tiep_nhan`, `Tiep nhan` are TIEP_NHAN) and the names people and report exports
    write instead (`value_labels.csv`: `Đã xử lý xong` is status 9). A file that folds two
    codes together is refused when it is read."""
    table = {fold(code): code for code in allowed}
    with VALUE_LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["source_column"] != source_column:
                continue
            if row["code"] not in allowed:
                raise ValueError(f"{VALUE_LABELS_FILE.name}: {row['code']} is no code of "
                                 f"{source_column}")
            key = fold(row["label"])
            if table.setdefault(key, row["code"]) != row["code"]:
                raise ValueError(f"{VALUE_LABELS_FILE.name}: {row['label']!r} reads as both "
                                 f"{table[key]} and {row['code']} in {source_column}")
    return table
