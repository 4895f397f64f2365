"""The warehouse's unpartitioned dbt models (staging, intermediate, reference marts)."""

import dagster as dg

from orchestration.defs.warehouse.assets import dbt_models

defs = dg.Definitions(assets=[dbt_models])
