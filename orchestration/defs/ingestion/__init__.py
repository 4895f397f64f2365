"""Ingestion: the inbox's export files into `raw`, under their contracts."""

import dagster as dg

from orchestration.defs.ingestion.assets import raw_calendar_days, raw_exports
from orchestration.defs.ingestion.checks import inbox_is_fresh

defs = dg.Definitions(assets=[raw_exports, raw_calendar_days], asset_checks=[inbox_is_fresh])
