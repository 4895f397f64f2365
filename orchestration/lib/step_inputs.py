"""Whether a step's inputs changed since it last ran whole: a run with nothing new skips the
quality gate and the publication, as it skips the dbt builds.

A step's fingerprint is a hash of what it reads besides itself: the watermarks of the steps
before it (which change only when those steps rebuilt something from new inputs) and the files
it reads (the steward decisions, the expectation suites, its own code). The fingerprint it ran
with is kept with the other watermarks (`ops.build_watermarks`) after it succeeds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

from orchestration.lib import dirty_periods


def files_digest(*roots: Path) -> str:
    """Names and contents of every file under the roots (a missing root counts as empty)."""
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else (
            [root] if root.is_file() else [])
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def watermarks_digest(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> str:
    """What the named steps last built from (not when: a step that found nothing to do
    leaves its mark as it was)."""
    digest = hashlib.sha256()
    for name in names:
        mark = dirty_periods.previous_watermark(con, name)
        digest.update(f"{name}={mark.loaded_through if mark else None}:"
                      f"{mark.fingerprint if mark else None};".encode())
    return digest.hexdigest()


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def unchanged(con: duckdb.DuckDBPyConnection, step: str, current: str) -> bool:
    previous = dirty_periods.previous_watermark(con, step)
    return previous is not None and previous.fingerprint == current


def record(con: duckdb.DuckDBPyConnection, step: str, current: str, run_id: str) -> None:
    dirty_periods.save_watermark(con, step, dirty_periods.Watermark(None, current), None, run_id)
