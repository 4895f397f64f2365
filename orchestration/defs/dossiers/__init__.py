"""Dossiers: the monthly processing statistics and the service index (monthly partitions)."""

import dagster as dg

from orchestration.defs.dossiers.assets import dbt_monthly_models

defs = dg.Definitions(assets=[dbt_monthly_models])
