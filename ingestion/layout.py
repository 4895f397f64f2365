"""Which contract a file follows, recognised by its signature columns (never by its path)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ingestion.contracts import CONTRACTS, Contract


def clean_column(name: object) -> str:
    """Header cell as the contract spells it: BOM, surrounding blanks and NFD removed."""
    return unicodedata.normalize("NFC", str(name)).lstrip("\ufeff").strip()


def matching(columns: Iterable[object]) -> list[Contract]:
    """Contracts whose signature is present, the most specific first: a file of a province's
    internal index also carries the PAR score signature, but the internal one is a superset."""
    present = {clean_column(c) for c in columns}
    found = [c for c in CONTRACTS if c.signature <= present]
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
    best = max(CONTRACTS, key=lambda c: len(c.signature & set(present)) / len(c.signature))
    missing = sorted(best.signature - set(present))
    return (f"unknown layout: columns [{shown}] match no contract "
            f"(closest: {best.family}, missing {', '.join(missing)})")


def missing_required(contract: Contract, columns: Iterable[object]) -> list[str]:
    present = {clean_column(c) for c in columns}
    return sorted(contract.required_sources - present)


def answer_columns(contract: Contract, columns: Iterable[object]) -> list[str]:
    if not contract.answer_columns:
        return []
    pattern = re.compile(contract.answer_columns)
    return [c for c in (clean_column(c) for c in columns) if pattern.match(c)]


def ignored_columns(contract: Contract, columns: Iterable[object]) -> list[str]:
    known = {f.source for f in contract.fields} | set(answer_columns(contract, columns))
    return [c for c in (clean_column(c) for c in columns) if c not in known]
