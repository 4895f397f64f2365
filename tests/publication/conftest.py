from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from publication.build import TZ, Publication, publish
from tests.publication.warehouse import build_published_schema, write_manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Home:
    root: Path
    warehouse: Path
    published: Path
    publications: Path
    manifest: Path
    con: duckdb.DuckDBPyConnection

    def publish(self, run_id: str, *, keep: int = 12, now: dt.datetime | None = None,
                months: int = 3, **kwargs: object) -> Publication:
        """A pipeline run: dbt rebuilds the published schema, then the publication step."""
        build_published_schema(self.con, run_id, months=months)
        return publish(self.con, run_id, published=self.published,
                       publications=self.publications, manifest=self.manifest, keep=keep,
                       now=now, **kwargs)

    def leftovers(self) -> list[str]:
        """Temporary files of a publication that did not finish."""
        return sorted(p.name for p in [*self.root.iterdir(), *self.publications.iterdir()]
                      if ".tmp" in p.name or (p.name.endswith(".wal")
                      and not p.name.startswith("warehouse")))


@contextlib.contextmanager
def make_home(root: Path) -> Iterator[Home]:
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        yield Home(root=root, warehouse=warehouse, published=root / "published.duckdb",
                   publications=root / "publications",
                   manifest=write_manifest(root / "manifest.json"), con=con)
    finally:
        con.close()


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    with make_home(tmp_path) as made:
        yield made


def at(text: str) -> dt.datetime:
    """A wall-clock time in Vietnam."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)
