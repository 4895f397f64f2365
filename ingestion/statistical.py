"""SPSS (.sav, .zsav) and Stata (.dta) data files: how survey microdata is released (PAPI's
waves come as SPSS files). Read with pyreadstat, values as stored: codes as numbers, no value
labels applied, and user-defined missing values (98, 99) kept as the numbers the codebook
names, not turned into blanks (a blank means "not asked" in the survey contracts)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingestion.pseudonymise import redact_message
from ingestion.sources import Blob, UnreadableFile

KINDS = ("spss", "stata")


@contextmanager
def _on_disk(blob: Blob) -> Iterator[Path]:
    """The reader wants a path: a member of an archive is written to a temporary file."""
    if blob.path is not None:
        yield blob.path
        return
    handle, name = tempfile.mkstemp(suffix=".sav" if blob.kind == "spss" else ".dta")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(blob.read())
        yield Path(name)
    finally:
        os.unlink(name)


def _read(blob: Blob, *, metadata_only: bool) -> tuple[Any, Any]:
    """pyreadstat's (data frame, metadata) of the file."""
    import pyreadstat  # import cost only when such a file comes

    reader = pyreadstat.read_sav if blob.kind == "spss" else pyreadstat.read_dta
    what = "SPSS" if blob.kind == "spss" else "Stata"
    with _on_disk(blob) as path:
        try:
            return reader(str(path), user_missing=True, apply_value_formats=False,
                          metadataonly=metadata_only)
        except Exception as error:  # pyreadstat raises its own types for every broken file
            raise UnreadableFile(f"unreadable {what} file: {redact_message(str(error))}"
                                 ) from None


def header(blob: Blob) -> list[str]:
    return list(_read(blob, metadata_only=True)[1].column_names)


def table(blob: Blob) -> pa.Table:
    frame, _ = _read(blob, metadata_only=False)
    return pa.Table.from_pandas(frame, preserve_index=False)
