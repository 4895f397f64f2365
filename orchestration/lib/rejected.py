"""Files that fail entirely leave the inbox for a rejected folder, with a reason file beside
them (the load manifest keeps their record): the inbox then holds only what can load, and an
operator sees at a glance what a sender must re-export."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from ingestion.loader import FileLoadResult


def set_aside_rejected(inbox: Path, rejected: Path,
                       results: Iterable[FileLoadResult]) -> list[Path]:
    by_file: dict[str, list[FileLoadResult]] = {}
    for result in results:
        by_file.setdefault(result.inbox_file or result.source_file, []).append(result)
    moved = []
    for inbox_file, parts in sorted(by_file.items()):
        source = inbox / inbox_file
        # only a file none of whose parts (sheets, archive members) loaded
        if not source.is_file() or any(p.status != "rejected" for p in parts):
            continue
        target = rejected / inbox_file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), target)
        reasons = "\n".join(f"{p.source_file}: {p.reason}" for p in parts)
        target.with_name(target.name + ".reason.txt").write_text(reasons + "\n",
                                                                 encoding="utf-8")
        moved.append(target)
    return moved
