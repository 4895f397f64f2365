"""Rows that keep their contract but cannot be true: quarantined with a reason `implausible: ...`.

The rules and their thresholds are configuration (`plausibility.toml`, each with its reason):
a time after the export was written (plus a tolerance), two times in an impossible order (a
dossier submitted after its last update), a province code that is unknown or not valid on the
row's date under the code system in force then. Everything is Arrow compute over whole columns.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from foundation.reference import GSO34, GSO63, MERGER_DATE, provinces_gso34, provinces_gso63
from ingestion.contracts import Contract
from ingestion.normalise import pad_code

RULES_FILE = Path(__file__).with_name("plausibility.toml")
PREFIX = "implausible: "


@dataclass(frozen=True)
class Rules:
    tolerance: dt.timedelta
    max_share: float
    min_rows: int
    families: dict[str, dict[str, Any]]


@cache
def rules(path: Path = RULES_FILE) -> Rules:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return Rules(dt.timedelta(hours=float(config["future"]["tolerance_hours"])),
                 float(config["bad_share"]["max_share"]), int(config["bad_share"]["min_rows"]),
                 config.get("families", {}))


@cache
def province_codes() -> dict[str, pa.Array]:
    return {GSO63: pa.array(sorted(p.code for p in provinces_gso63())),
            GSO34: pa.array(sorted(p.code for p in provinces_gso34()))}


def implausible(contract: Contract, typed: pa.Table, exported_at: dt.datetime,
                config: Rules | None = None) -> pa.Table:
    """Violations (index, field, reason, raw_value) of the rows that cannot be true."""
    config = config or rules()
    family = config.families.get(contract.family, {})
    parts: list[pa.Table] = []
    latest = exported_at + config.tolerance
    for name in family.get("not_after_export", []):
        values = _as_time(typed.column(contract.field(name).column).combine_chunks())
        late = pc.greater(values, pa.scalar(latest, pa.timestamp("us")))
        when = f"{exported_at:%Y-%m-%d %H:%M}"
        parts.append(_violations(late, contract.field(name).source,
                                 f"{PREFIX}after the file was exported ({when} + "
                                 f"{_hours(config.tolerance)} h)", values))
    for earlier, later in family.get("order", []):
        first = _as_time(typed.column(contract.field(earlier).column).combine_chunks())
        second = _as_time(typed.column(contract.field(later).column).combine_chunks())
        wrong = pc.greater(first, second)
        a, b = contract.field(earlier).source, contract.field(later).source
        parts.append(_violations(wrong, f"{a}, {b}", f"{PREFIX}{a} is after {b}",
                                 (first, second)))
    for name, (low, high) in family.get("range", {}).items():
        parts.append(_outside(contract, typed, name, low, high))
    for name, low in family.get("at_least", {}).items():
        parts.append(_outside(contract, typed, name, low, None))
    for name, allowed in family.get("tokens", {}).items():
        parts.append(_tokens(contract, typed, name, allowed))
    if "province" in family:
        parts.append(_provinces(contract, typed, family["province"]))
    parts = [p for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else _violations(pa.array([], pa.bool_()), "", "",
                                                             pa.array([], pa.string()))


def _outside(contract: Contract, typed: pa.Table, name: str, low: float,
             high: float | None) -> pa.Table:
    """A number outside [low, high] (no upper bound when high is None)."""
    field = contract.field(name)
    values = typed.column(field.column).combine_chunks()
    bad = pc.less(values, low)
    if high is not None:
        bad = pc.or_(bad, pc.greater(values, high))
    bounds = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
    return _violations(bad, field.source, f"{PREFIX}{field.source} must be {bounds}", values)


def _tokens(contract: Contract, typed: pa.Table, name: str, allowed: list[str]) -> pa.Table:
    """A list of codes separated by ';' (case and spaces aside, as the warehouse reads it) with
    none of them known, or one that is not."""
    field = contract.field(name)
    values = typed.column(field.column).combine_chunks()
    cleaned = pc.replace_substring(pc.utf8_lower(values), " ", "")
    tokens = pc.split_pattern(cleaned, ";")
    flat = pc.list_flatten(tokens)
    owner = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False)
    known = pc.is_in(flat, pa.array(allowed)).to_numpy(zero_copy_only=False)
    empty = pc.equal(flat, "").to_numpy(zero_copy_only=False)
    unknown = np.zeros(len(values), bool)
    unknown[owner[~known & ~empty]] = True
    some = np.zeros(len(values), bool)
    some[owner[known]] = True
    bad = pa.array((unknown | ~some) & values.is_valid().to_numpy(zero_copy_only=False))
    return _violations(bad, field.source,
                       f"{PREFIX}{field.source} must list codes among {', '.join(allowed)} "
                       "separated by ';'", values)


def _as_time(values: pa.Array) -> pa.Array:
    """Dates compare with times as their midnight (a decision dated the 3rd, made public on the
    3rd at 09:00, is in order)."""
    return values.cast(pa.timestamp("us")) if pa.types.is_date(values.type) else values


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return str(int(hours)) if hours.is_integer() else f"{hours:g}"


def _violations(mask: pa.Array, field: str, reason: str | pa.Array,
                values: pa.Array | tuple[pa.Array, pa.Array]) -> pa.Table:
    """The rows of `mask`; their value shown as text (a pair as "first > second")."""
    where = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    picked = pa.array(where, pa.int64())
    n = len(where)
    if isinstance(values, tuple):
        shown = pc.binary_join_element_wise(_shown(values[0].take(picked)),
                                            _shown(values[1].take(picked)), " > ")
    else:
        shown = _shown(values.take(picked))
    return pa.table({
        "index": picked,
        "field": pa.array([field] * n, pa.string()),
        "reason": (pa.array([reason] * n, pa.string()) if isinstance(reason, str)
                   else reason.take(picked)),
        "raw_value": shown,
    })


def _shown(values: pa.Array) -> pa.Array:
    """A value as the quarantine shows it: times to the second, like the exports write them."""
    if pa.types.is_timestamp(values.type):
        return pc.strftime(values.cast(pa.timestamp("s"), safe=False), "%Y-%m-%d %H:%M:%S")
    return values.cast(pa.string())


def _provinces(contract: Contract, typed: pa.Table, rule: dict[str, str]) -> pa.Table:
    field = contract.field(rule["code"])
    codes = pad_code(typed.column(field.column).combine_chunks(), 2)
    n = len(codes)
    if "code_system" in rule:
        system = typed.column(contract.field(rule["code_system"]).column).combine_chunks()
    else:
        day = _decisive_day(contract, typed, rule)
        merger = pa.scalar(dt.datetime.combine(MERGER_DATE, dt.time()), pa.timestamp("us"))
        before = pc.less(day, merger)
        system = pc.if_else(before, pa.scalar(GSO63), pa.scalar(GSO34))
    known = province_codes()
    in63 = pc.is_in(codes, known[GSO63])
    in34 = pc.is_in(codes, known[GSO34])
    valid_here = pc.if_else(pc.equal(system, GSO63), in63,
                            pc.if_else(pc.equal(system, GSO34), in34, pa.scalar(True)))
    present = pc.and_(codes.is_valid(), system.is_valid())
    unknown = pc.and_(present, pc.invert(pc.or_(in63, in34)))
    wrong_system = pc.and_(pc.and_(present, pc.invert(valid_here)), pc.invert(unknown))
    reasons = pc.if_else(
        pc.equal(system, GSO63),
        pa.scalar(f"{PREFIX}province code not valid under gso63 (the 63 provinces, before "
                  f"{MERGER_DATE:%Y-%m-%d})"),
        pa.scalar(f"{PREFIX}province code not valid under gso34 (the 34 provinces, from "
                  f"{MERGER_DATE:%Y-%m-%d})"))
    assert len(reasons) == n
    return pa.concat_tables([
        _violations(unknown, field.source, f"{PREFIX}unknown province code", codes),
        _violations(wrong_system, field.source, reasons, codes),
    ])


def _decisive_day(contract: Contract, typed: pa.Table, rule: dict[str, str]) -> pa.Array:
    """The date whose code system applies: a row's own date, or its month, or the year's end."""
    if "date" in rule:
        return typed.column(contract.field(rule["date"]).column).combine_chunks().cast(
            pa.timestamp("us"))
    years = typed.column(contract.field(rule["year"]).column).combine_chunks()
    if "month" in rule:
        months = typed.column(contract.field(rule["month"]).column).combine_chunks()
    else:
        months = pa.array(np.full(len(years), 12), pa.int64())
    # before the merger month or not: compare year * 12 + month, no date building needed
    index = pc.add(pc.multiply(years.cast(pa.int64()), 12), months.cast(pa.int64()))
    merger = MERGER_DATE.year * 12 + MERGER_DATE.month
    # a timestamp stand-in ordered like (year, month): before the merger -> epoch, else later
    return pc.if_else(pc.less(index, merger), pa.scalar(dt.datetime(1970, 1, 1)),
                      pa.scalar(dt.datetime(2100, 1, 1))).cast(pa.timestamp("us")) \
        if len(years) else pa.array([], pa.timestamp("us"))
