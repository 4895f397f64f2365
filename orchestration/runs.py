"""What `chiso run` executes: the full job, then the monthly marts over the months loaded."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import dagster as dg
import duckdb

from orchestration.defs.transform import MONTHLY_PARTITIONS


@dataclass(frozen=True)
class PipelineResult:
    full: dg.ExecuteInProcessResult
    monthly: dg.ExecuteInProcessResult | None
    months: tuple[str, str] | None

    @property
    def success(self) -> bool:
        return self.full.success and (self.monthly is None or self.monthly.success)


def loaded_month_range(warehouse: str) -> tuple[str, str] | None:
    """First and last partition keys holding dossier data (read after the writer is done)."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        first, last = con.execute(
            "select min(submitted_at), max(greatest(updated_at, submitted_at)) "
            "from raw.dossier_records"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    if last is None:
        return None
    keys = MONTHLY_PARTITIONS.get_partition_keys(
        current_time=dt.datetime(last.year, last.month, 1) + dt.timedelta(days=32))
    keys = [k for k in keys if k >= f"{first:%Y-%m}-01"]
    return (keys[0], keys[-1]) if keys else None


# the terminal shows what happened, not Dagster's step-by-step debug events (the UI keeps all)
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def run_pipeline(defs: dg.Definitions, instance: dg.DagsterInstance) -> PipelineResult:
    full = defs.resolve_job_def("chiso_full_run").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE)
    if not full.success:
        return PipelineResult(full, None, None)
    months = loaded_month_range(os.environ["CHISO_WAREHOUSE"])
    if months is None:
        return PipelineResult(full, None, None)
    monthly = defs.resolve_job_def("chiso_monthly_run").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE,
        tags={"dagster/asset_partition_range_start": months[0],
              "dagster/asset_partition_range_end": months[1]},
    )
    return PipelineResult(full, monthly, months)
