"""The indices the quality gate judges (their Vietnamese names: foundation/vietnamese.py, which
the report prints), the layers of its checks and their severities."""

from __future__ import annotations

from foundation.vietnamese import INDEX_NAMES_VI

# pci is external: published as VCCI publishes it; only a steward's decision can withhold a row
INDICES: dict[str, str] = INDEX_NAMES_VI
# how the report names a check's severity: an error withholds the unit, a warning does not
SEVERITIES_VI = {"error": "lỗi (giữ lại)", "warn": "cảnh báo"}
LAYERS = ("contract", "consistency", "anomaly")
SEVERITIES = tuple(SEVERITIES_VI)
