"""Dossiers: the monthly processing statistics and the service index (monthly partitions), and
the check that the consistency checks set aside no unit's dossiers beyond the threshold."""

import dagster as dg

from orchestration.defs.dossiers.assets import dbt_monthly_models
from orchestration.defs.dossiers.checks import units_within_bad_share

defs = dg.Definitions(assets=[dbt_monthly_models], asset_checks=[units_within_bad_share])
