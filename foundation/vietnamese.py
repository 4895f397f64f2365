"""How the warehouse's codes and periods are written where people read them (the stewards'
report, the dashboard): the indices' names, unit and period types, a period."""

from __future__ import annotations

import datetime as dt

INDEX_NAMES_VI: dict[str, str] = {
    "sipas": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
    "par_index": "Chỉ số cải cách hành chính (PAR INDEX)",
    "papi": "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
    "pci": "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
    "dossier_indicators": "Chỉ tiêu giải quyết hồ sơ thủ tục hành chính",
    "service_index": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ (766)",
}
UNIT_TYPES_VI = {"province": "tỉnh", "agency": "cơ quan", "national": "toàn quốc"}
PERIOD_TYPES_VI = {"month": "tháng", "quarter": "quý", "year": "năm"}


def period_label_vi(start: dt.date, period_type: str | None) -> str:
    """tháng 03/2025, quý 3/2025, năm 2025; a period of no stated type reads as its month."""
    if period_type == "year":
        return f"năm {start.year}"
    if period_type == "quarter":
        return f"quý {(start.month - 1) // 3 + 1}/{start.year}"
    return f"tháng {start:%m/%Y}"
