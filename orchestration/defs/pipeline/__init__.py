"""The pipeline: the one job, its schedules, the inbox sensor and the failure alert."""

import dagster as dg

from orchestration.defs.pipeline.jobs import chiso_pipeline
from orchestration.defs.pipeline.schedules import SCHEDULES
from orchestration.defs.pipeline.sensors import inbox_sensor, pipeline_failure_alert

defs = dg.Definitions(jobs=[chiso_pipeline], schedules=SCHEDULES,
                      sensors=[inbox_sensor, pipeline_failure_alert])
