"""The pipeline: the one job, its schedule and the inbox sensor."""

import dagster as dg

from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.defs.pipeline.schedules import nightly_pipeline
from orchestration.defs.pipeline.sensors import inbox_sensor

defs = dg.Definitions(jobs=[chiso_pipeline], schedules=[nightly_pipeline], sensors=[inbox_sensor])
