"""Resources, resolved from the environment when a run starts (one default each, in
`foundation.settings`); importing the definitions reads and changes nothing."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from filelock import FileLock, Timeout
from packaging import version
from pydantic import PrivateAttr

from foundation import duckdb_limits, settings


def writer_lock(warehouse: Path) -> FileLock:
    """The lock a run holds on the warehouse from its first step to its last."""
    return FileLock(f"{warehouse}.lock")


@contextmanager
def read_when_idle(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection while no run writes the warehouse; None (at once, never waiting)
    when one does. A schedule reads through it: it must never make a run's step fail on
    DuckDB's file lock, nor wait for a run to end."""
    lock = writer_lock(warehouse)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield None
        return
    try:
        if not warehouse.exists():
            with duckdb.connect() as empty:  # nothing built yet: an empty database says so
                yield empty
            return
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()
    finally:
        lock.release()


class WarehouseResource(dg.ConfigurableResource):
    """The live DuckDB file. Only one step at a time opens it (runs are in one process, steps
    in sequence), and it is never handed to readers: they get the published copy."""

    path: str | None = None  # default: CHISO_WAREHOUSE, else CHISO_HOME/warehouse.duckdb
    # how long a run waits for the one before it to finish (a night's backlog at most)
    lock_timeout_seconds: float = 6 * 3600
    _lock: FileLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Hold the writer's lock for the whole run: a second run, however it was launched
        (CLI, schedule, sensor, UI), waits here for the first instead of failing on DuckDB's
        file lock halfway through."""
        self.resolved_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = writer_lock(self.resolved_path)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            # only an operator who sees why a run sits idle can tell a queue from a hang
            if context.log is not None:
                context.log.info(f"another run is writing the warehouse: waiting up to "
                                 f"{self.lock_timeout_seconds:.0f} s for {self._lock.lock_file}")
            self._lock.acquire(timeout=self.lock_timeout_seconds)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def resolved_path(self) -> Path:
        return Path(self.path) if self.path else settings.warehouse_path()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        self.resolved_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb_limits.connect(self.resolved_path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def dbt_environment(self, extra: Mapping[str, str] | None = None) -> Iterator[None]:
        """dbt's profile reads CHISO_WAREHOUSE and DuckDB's bounds (CHISO_DUCKDB_*): point it
        at this run's file, with the bounds Python applies, for the dbt subprocesses started
        inside the block, so Python and dbt open the same file the same way; `extra` adds
        variables the models read (the partition window)."""
        wanted = {"CHISO_WAREHOUSE": str(self.resolved_path), **settings.duckdb_environment(),
                  **(extra or {})}
        settings.duckdb_temp_directory().mkdir(parents=True, exist_ok=True)
        previous = {name: os.environ.get(name) for name in wanted}
        os.environ.update(wanted)
        try:
            yield
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class InboxResource(dg.ConfigurableResource):
    """Where export files are dropped, and the variable holding the pseudonymisation key."""

    path: str | None = None  # default: CHISO_INBOX, else CHISO_HOME/inbox
    pii_key_env: str = "CHISO_PII_KEY"

    @property
    def resolved_path(self) -> Path:
        return Path(self.path) if self.path else settings.inbox_dir()


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt's resource for the dbt installed beside chiso. dagster-dbt learns the dbt
    version by running `dbt --version` once per process, and every dbt step is a process of
    its own: 3 to 5 s of imports each time, four times a run. The executable is this
    environment's, so its version is the installed dbt-core's."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    # the dbt of this environment, whether or not its bin folder is on PATH
    return LocalDbtCliResource(project_dir=str(settings.DBT_PROJECT_DIR),
                               profiles_dir=str(settings.DBT_PROJECT_DIR),
                               dbt_executable=str(Path(sys.executable).parent / "dbt"))
