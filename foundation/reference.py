"""Province reference data under both code systems (SPEC section 8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
import pyarrow.csv as pacsv

from foundation.settings import SEEDS_DIR

MERGER_DATE = dt.date(2025, 7, 1)
GSO63 = "gso63"
GSO34 = "gso34"


def _read_text_csv(name: str) -> pa.Table:
    path = SEEDS_DIR / name
    # codes stay text: "01", never 1
    names = pacsv.read_csv(path, read_options=pacsv.ReadOptions(autogenerate_column_names=False))
    types = {c: pa.string() for c in names.column_names}
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    code_system: str
    region_code: str
    successor_code: str | None
    short_name: str = ""  # as the press writes it (Hà Nội, TP. Hồ Chí Minh); the name when none


@cache
def provinces_gso63() -> tuple[Province, ...]:
    table = _read_text_csv("provinces_2008_2025.csv").to_pylist()
    return tuple(
        Province(r["province_code"], r["province_name"], GSO63, r["region_code"],
                 r["successor_code_2025"], r["short_name"] or r["province_name"])
        for r in table
    )


@cache
def provinces_gso34() -> tuple[Province, ...]:
    old = {p.code: p for p in provinces_gso63()}
    table = _read_text_csv("provinces_2025.csv").to_pylist()
    # the new unit takes the region of the old province hosting its seat (same code)
    return tuple(
        Province(r["province_code"], r["province_name"], GSO34, old[r["province_code"]].region_code,
                 None, r["province_name"])
        for r in table
    )


def code_system_on(day: dt.date) -> str:
    return GSO63 if day < MERGER_DATE else GSO34
