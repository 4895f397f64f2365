"""Quality: the gate between the marts and the publication, and its checks."""

import dagster as dg

from orchestration.defs.quality.assets import quality_gate
from orchestration.defs.quality.checks import quality_gate_checks

defs = dg.Definitions(assets=[quality_gate], asset_checks=[quality_gate_checks])
