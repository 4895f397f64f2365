"""Surveys and indices: SIPAS, the officials' survey and PAR INDEX (yearly partitions)."""

import dagster as dg

from orchestration.defs.surveys.assets import dbt_yearly_models

defs = dg.Definitions(assets=[dbt_yearly_models])
