"""The survey indices (SIPAS, the officials' survey, PAR INDEX and whatever later joins their
dbt folders, tag `yearly`), built year by year.

A run asks for years through this step's config (`first_year`, `last_year`: the yearly schedule,
`chiso run --from 2023 --to 2024`, the UI's launchpad) and rebuilds exactly those years, in one
dbt invocation, with the following year's change against the last of them
(macros/yearly_partitions.sql). A run that asks for no year rebuilds the years new survey or
assessment rows speak of. Every other year's rows stay as they are.

Why the years are not Dagster partitions: a Dagster run targets one partition range of one
partitions definition, or none, and a partitioned asset cannot run without a range when it
reads another partitioned asset (Dagster 1.13 fails the step: "Cannot access partition_key for
a non-partitioned run"). The nightly run must bring the monthly marts and the yearly indices
up to date together, in the one job: it carries the months' range, and the years are ours.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from orchestration.defs.surveys.inputs import SURVEY_INPUTS
from orchestration.lib.dbt_project import DBT_PROJECT, MANIFEST, YEARLY_TAG, ChisoDbtTranslator
from orchestration.lib.dbt_runs import PeriodicModels, build_periods
from orchestration.lib.dirty_periods import YEAR, PeriodRange
from orchestration.lib.partitions import FIRST_YEAR
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.retries import TRANSIENT_RETRY, retried_only_if_transient

STEP = "dbt_yearly_models"
YEARLY_INDICES = PeriodicModels(SURVEY_INPUTS, first=dt.date(FIRST_YEAR, 1, 1),
                                rewrites_following_period=True)


class Years(dg.Config):
    """The years to rebuild; none: the years new data touched."""

    first_year: int | None = Field(default=None, description="First year to rebuild.")
    last_year: int | None = Field(default=None, description="Last year to rebuild (inclusive).")

    def asked(self) -> PeriodRange | None:
        if self.first_year is None and self.last_year is None:
            return None
        first = self.first_year if self.first_year is not None else self.last_year
        last = self.last_year if self.last_year is not None else self.first_year
        if first is None or last is None or first > last:
            raise dg.Failure(f"first_year {first} is after last_year {last}",
                             allow_retries=False)
        return PeriodRange(dt.date(first, 1, 1), dt.date(last + 1, 1, 1), YEAR)


def years_run_config(first: int, last: int) -> dict[str, Any]:
    """The run config asking the pipeline for exactly these years."""
    return {"ops": {STEP: {"config": {"first_year": first, "last_year": last}}}}


@dbt_assets(
    manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=ChisoDbtTranslator(),
    select=YEARLY_TAG, name=STEP, retry_policy=TRANSIENT_RETRY,
)
@retried_only_if_transient
def dbt_yearly_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                      warehouse: WarehouseResource, config: Years) -> Iterator[Any]:
    """Survey indices and their rankings: only the years asked for (or touched) are rebuilt;
    the metadata says which (`chiso/rebuilt_years`)."""
    asked = config.asked()
    yield from build_periods(context, dbt, warehouse, YEARLY_INDICES, asked=asked,
                             touched=asked is None)
