"""What the unpartitioned dbt build (staging, intermediate, the marts rebuilt whole) must do in
a run: nothing (no file loaded and nothing changed since it last ran whole), an incremental
build (the dossier models judge again only the dossiers with new rows), or a full refresh (the
code, the seeds or the reference data changed, which moves old dossiers' due dates and
judgements too). Its watermark is kept with the others (`ops.build_watermarks`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.dirty_periods import Watermark, exists, project_checksums, relations_digest

WATERMARK = "unpartitioned_models"
# the inputs of the reference data the dossier lifecycle is judged against, besides seeds and
# code: the calendar rebuilt each run from the `holidays` library, the procedure catalogue
# (legal times) and the agencies
LIFECYCLE_REFERENCE_SOURCES = ("raw.calendar_days", "raw.procedure_catalogue", "raw.agencies")


@dataclass(frozen=True)
class UnpartitionedBuild:
    skip: bool
    full_refresh: bool
    mark: Watermark
    reason: str


def inputs_watermark(con: duckdb.DuckDBPyConnection, manifest: Path) -> Watermark:
    """The newest file load (any family), and the fingerprint of code, seeds and reference."""
    fingerprint = relations_digest(con, LIFECYCLE_REFERENCE_SOURCES,
                                   hashlib.sha256(project_checksums(manifest).encode()))
    loaded = (con.execute("select max(loaded_at) from raw.load_manifest").fetchone()[0]
              if exists(con, "raw.load_manifest") else None)
    return Watermark(loaded, fingerprint)


def plan_unpartitioned_build(con: duckdb.DuckDBPyConnection, manifest: Path,
                             previous: Watermark | None) -> UnpartitionedBuild:
    current = inputs_watermark(con, manifest)
    if previous is None:
        return UnpartitionedBuild(False, True, current, "first build")
    if previous.fingerprint != current.fingerprint:
        return UnpartitionedBuild(False, True, current,
                                  "models, seeds or reference data changed: full refresh")
    if current.loaded_through == previous.loaded_through:
        return UnpartitionedBuild(True, False, current, "no file loaded since the last build")
    return UnpartitionedBuild(False, False, current, "new rows: incremental build")
