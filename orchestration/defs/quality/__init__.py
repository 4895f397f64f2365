"""Quality: the gate between the marts and the publication."""

import dagster as dg

from orchestration.defs.quality.assets import quality_gate

defs = dg.Definitions(assets=[quality_gate])
