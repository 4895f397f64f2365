"""Every publication, named and kept: `publications/<published at>_<run id>.duckdb` (a hard link
of the file swapped in), its exports folder beside it, and `index.json`, the listing.

The newest N stay on disk; older ones lose their files but keep their line in the index, so
"what did we publish in March?" is answered even when March's file is gone.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
INDEX = "index.json"
LATEST = "latest"


@dataclass
class Entry:
    name: str
    run_id: str
    published_at: str  # ISO 8601 with the +07:00 offset
    code_version: str
    file: str  # relative to the publications folder
    exports: str
    tables: dict[str, int] = field(default_factory=dict)
    on_disk: bool = True

    @property
    def published_at_time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.published_at)


def publication_name(published_at: dt.datetime, run_id: str) -> str:
    """`2025-03-04T06-00-12_<first 8 characters of the run id>`, local Vietnam time."""
    local = published_at.astimezone(TZ)
    return f"{local:%Y-%m-%dT%H-%M-%S}_{run_id.replace('-', '')[:8]}"


def list_publications(publications: Path) -> list[Entry]:
    """Every publication recorded, newest first (also those no longer on disk)."""
    index = publications / INDEX
    if not index.exists():
        return []
    rows = json.loads(index.read_text(encoding="utf-8"))
    entries = [Entry(**row) for row in rows]
    return sorted(entries, key=lambda e: e.published_at_time, reverse=True)


def _write_index(publications: Path, entries: list[Entry]) -> None:
    tmp = publications / f".{INDEX}.tmp"
    tmp.write_text(json.dumps([dataclasses.asdict(e) for e in entries], ensure_ascii=False,
                              indent=2), encoding="utf-8")
    os.replace(tmp, publications / INDEX)


def record(publications: Path, entry: Entry, *, keep: int) -> list[Entry]:
    """Add the publication just swapped in, point `latest` at its exports, and remove the files
    of all but the newest `keep`."""
    if keep < 1:
        raise ValueError(f"keep at least one publication, not {keep}")
    entries = [e for e in list_publications(publications) if e.name != entry.name]
    entries = sorted([entry, *entries], key=lambda e: e.published_at_time, reverse=True)
    for old in entries[keep:]:
        if old.on_disk:
            (publications / old.file).unlink(missing_ok=True)
            shutil.rmtree(publications / old.exports, ignore_errors=True)
            old.on_disk = False
    _write_index(publications, entries)
    _point_latest(publications, entry.exports)
    return entries


def _point_latest(publications: Path, target: str) -> None:
    tmp = publications / f".{LATEST}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, publications / LATEST)


def _period_end(when: str | dt.date | dt.datetime) -> dt.datetime:
    """The last instant of a year ("2025"), a month ("2025-03"), a day ("2025-03-15") or an
    exact time."""
    if isinstance(when, dt.datetime):
        return when if when.tzinfo else when.replace(tzinfo=TZ)
    if isinstance(when, dt.date):
        day = when
    elif len(when) == 4:
        day = dt.date(int(when), 12, 31)
    elif len(when) == 7:
        year, month = (int(x) for x in when.split("-"))
        day = dt.date(year, month, calendar.monthrange(year, month)[1])
    elif len(when) == 10:
        day = dt.date.fromisoformat(when)
    else:
        return _period_end(dt.datetime.fromisoformat(when))
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=TZ)


def in_force_at(publications: Path, when: str | dt.date | dt.datetime) -> Entry | None:
    """The publication readers saw at the end of a month or day (or at an exact time): the
    newest one published by then. None when nothing had been published yet."""
    end = _period_end(when)
    for entry in list_publications(publications):
        if entry.published_at_time <= end:
            return entry
    return None


def published_during(publications: Path, month: str) -> list[Entry]:
    """The publications made during one month ("2025-03"), newest first."""
    return [e for e in list_publications(publications)
            if e.published_at_time.astimezone(TZ).strftime("%Y-%m") == month]
