"""The indices the quality gate judges, with their Vietnamese names (the report prints them)."""

from __future__ import annotations

INDICES: dict[str, str] = {
    "sipas": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
    "par_index": "Chỉ số cải cách hành chính (PAR INDEX)",
    "papi": "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
    # external: published as VCCI publishes it; only a steward's decision can withhold a row
    "pci": "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
    "dossier_indicators": "Chỉ tiêu giải quyết hồ sơ thủ tục hành chính",
    "service_index": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ (766)",
}

UNIT_TYPES_VI = {"province": "tỉnh", "agency": "cơ quan"}
# how the report names a check's severity: an error withholds the unit, a warning does not
SEVERITIES_VI = {"error": "lỗi (giữ lại)", "warn": "cảnh báo"}
LAYERS = ("contract", "consistency", "anomaly")
SEVERITIES = tuple(SEVERITIES_VI)
