"""Is the data behind a publication fresh? It is stale when no input has brought a new row for
more than CHISO_STALE_AFTER_DAYS days (a re-sent file with nothing new does not count): the
publication says so (`_publication.is_stale`, `stale_since`), and its dashboard shows it, also
when it is opened after that deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Freshness:
    data_loaded_through: dt.datetime | None  # the newest load that brought new rows
    stale_after_days: float
    checked_at: dt.datetime  # wall clock, Asia/Ho_Chi_Minh, naive like the load manifest

    @property
    def stale_since(self) -> dt.datetime | None:
        if self.data_loaded_through is None:
            return None
        return self.data_loaded_through + dt.timedelta(days=self.stale_after_days)

    @property
    def is_stale(self) -> bool:
        return self.stale_since is None or self.checked_at > self.stale_since

    @property
    def age_days(self) -> float | None:
        if self.data_loaded_through is None:
            return None
        return (self.checked_at - self.data_loaded_through).total_seconds() / 86400


def newest_data(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dt.datetime | None:
    """When the newest new rows were loaded (`raw.load_manifest`), or None."""
    prefix = f'"{catalog}".' if catalog else ""
    found = con.execute("select count(*) from information_schema.tables where table_schema = "
                        "'raw' and table_name = 'load_manifest'"
                        + (" and table_catalog = ?" if catalog else ""),
                        [catalog] if catalog else []).fetchone()[0]
    if not found:
        return None
    return con.execute(f"select max(loaded_at) from {prefix}raw.load_manifest "
                       "where status = 'loaded' and rows_new > 0").fetchone()[0]


def freshness(con: duckdb.DuckDBPyConnection, now: dt.datetime, stale_after_days: float,
              catalog: str | None = None) -> Freshness:
    return Freshness(newest_data(con, catalog), stale_after_days, now)
