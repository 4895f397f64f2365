"""Ingestion: the inbox's export files into `raw`, under their contracts."""

import dagster as dg

from orchestration.defs.ingestion.assets import raw_calendar_days, raw_exports

defs = dg.Definitions(assets=[raw_exports, raw_calendar_days])
