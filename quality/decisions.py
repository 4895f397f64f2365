"""Steward decisions: YAML files in `CHISO_HOME/decisions/` that release or withhold a unit for
a period and an index, with who, when and why. An auditable input: validated with the file and
line of every fault, loaded into `quality.steward_decisions` on every run.

    decisions:
      - index: sipas
        unit: "gso34:25"            # a province key or an agency code
        period: "2025"              # a year, or "2025-09" for a month
        action: release             # release | withhold
        check: survey_near_duplicates   # optional: the flag decided on
        by: "Nguyễn Thị Lan, Sở Nội vụ"
        at: "2026-01-15T09:30:00+07:00"
        reason: "Đã phúc tra 30 phiếu tại thực địa; trùng lặp do mẫu đồng nhất."
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from quality.catalog import INDICES

DECISIONS_TABLE = "quality.steward_decisions"
ACTIONS = ("release", "withhold")
FIELDS = ("index", "unit", "period", "action", "check", "by", "at", "reason")
REQUIRED = ("index", "unit", "period", "action", "by", "at", "reason")


class DecisionError(ValueError):
    """A decision file a run cannot apply; the message names the file and line."""


@dataclass(frozen=True)
class Decision:
    source_file: str
    source_line: int
    index_code: str
    unit_type: str
    unit_key: str
    period_type: str
    period_start: dt.date
    action: str
    check_name: str | None
    decided_by: str
    decided_at: dt.datetime
    reason: str

    @property
    def decision_ref(self) -> str:
        return f"{self.source_file}:{self.source_line}"


def _period(text: str) -> tuple[str, dt.date]:
    if len(text) == 4 and text.isdigit():
        return "year", dt.date(int(text), 1, 1)
    year, _, month = text.partition("-")
    if year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12:
        return "month", dt.date(int(year), int(month), 1)
    raise ValueError(f"period {text!r} is neither a year (2025) nor a month (2025-09)")


def _when(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:  # wall-clock Vietnam time, as everywhere in chiso
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def parse_file(path: Path, *, provinces: set[str], agencies: set[str], checks: set[str]
               ) -> list[Decision]:
    """Every decision of one file, or a DecisionError naming the file and line of the fault."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        # the construct that failed to close (context) is where a steward looks first
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = getattr(mark, "line", 0) + 1
        raise DecisionError(f"{path}:{line}: not valid YAML: {exc}") from exc
    if root is None:
        return []
    items = root
    if isinstance(root, yaml.MappingNode):
        found = [v for k, v in root.value if k.value == "decisions"]
        if not found:
            raise DecisionError(f"{path}:{root.start_mark.line + 1}: expected a 'decisions:' list")
        items = found[0]
    if not isinstance(items, yaml.SequenceNode):
        raise DecisionError(f"{path}:{items.start_mark.line + 1}: 'decisions' must be a list")
    out = []
    for node in items.value:
        line = node.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(node, yaml.MappingNode):
            raise DecisionError(f"{where}: a decision is a mapping of {', '.join(FIELDS)}")
        fields: dict[str, tuple[str, int]] = {}
        for key, value in node.value:
            if key.value not in FIELDS:
                raise DecisionError(f"{path}:{key.start_mark.line + 1}: unknown field "
                                    f"{key.value!r} (expected {', '.join(FIELDS)})")
            raw = value.value if isinstance(value, yaml.ScalarNode) else None
            fields[key.value] = (unicodedata.normalize("NFC", str(raw or "")).strip(),
                                 value.start_mark.line + 1)
        missing = [f for f in REQUIRED if not fields.get(f, ("", 0))[0]]
        if missing:
            raise DecisionError(f"{where}: decision lacks {', '.join(missing)}"
                                + (" (a decision without its reason cannot be audited)"
                                   if "reason" in missing else ""))

        def fail(name: str, problem: str, fields: dict[str, tuple[str, int]] = fields
                 ) -> DecisionError:
            return DecisionError(f"{path}:{fields[name][1]}: {problem}")

        index_code = fields["index"][0]
        if index_code not in INDICES:
            raise fail("index", f"unknown index {index_code!r} (known: {', '.join(INDICES)})")
        unit = fields["unit"][0]
        if unit in provinces:
            unit_type = "province"
        elif unit in agencies:
            unit_type = "agency"
        else:
            raise fail("unit", f"unknown unit {unit!r}: neither a province key (gso34:25) "
                               "nor an agency code in the warehouse")
        action = fields["action"][0]
        if action not in ACTIONS:
            raise fail("action", f"action {action!r} must be release or withhold")
        check = fields.get("check", ("", 0))[0] or None
        if check is not None and check not in checks:
            raise fail("check", f"unknown check {check!r}")
        try:
            period_type, period_start = _period(fields["period"][0])
        except ValueError as exc:
            raise fail("period", str(exc)) from exc
        try:
            decided_at = _when(fields["at"][0])
        except ValueError as exc:
            raise fail("at", f"'at' {fields['at'][0]!r} is not an ISO 8601 time") from exc
        out.append(Decision(
            source_file=path.name, source_line=line, index_code=index_code, unit_type=unit_type,
            unit_key=unit, period_type=period_type, period_start=period_start, action=action,
            check_name=check, decided_by=fields["by"][0], decided_at=decided_at,
            reason=fields["reason"][0]))
    return out


# the units a decision may name
PROVINCES_QUERY = "select province_key from marts.dim_province"
AGENCIES_QUERY = "select distinct agency_code from marts.dim_agency where agency_code is not null"


def known_units(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    provinces = {r[0] for r in con.execute(PROVINCES_QUERY).fetchall()}
    agencies = {r[0] for r in con.execute(AGENCIES_QUERY).fetchall()}
    return provinces, agencies


def load_decisions(directory: Path, con: duckdb.DuckDBPyConnection, checks: Iterable[str]
                   ) -> list[Decision]:
    provinces, agencies = known_units(con)
    out: list[Decision] = []
    for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        out.extend(parse_file(path, provinces=provinces, agencies=agencies, checks=set(checks)))
    return out


def write_decisions(con: duckdb.DuckDBPyConnection, decisions: list[Decision], run_id: str) -> None:
    """Every decision in the files, as the files say it now (the files are the record; git or
    the folder's history keeps earlier versions)."""
    con.execute("create schema if not exists quality")
    con.execute(f"""
        create or replace table {DECISIONS_TABLE} (
            decision_ref varchar not null, source_file varchar not null,
            source_line integer not null, index_code varchar not null, unit_type varchar not null,
            unit_key varchar not null, period_type varchar not null, period_start date not null,
            action varchar not null, check_name varchar, decided_by varchar not null,
            decided_at timestamp not null, reason varchar not null, loaded_run_id varchar not null
        )""")
    if not decisions:
        return
    con.executemany(
        f"insert into {DECISIONS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(d.decision_ref, d.source_file, d.source_line, d.index_code, d.unit_type, d.unit_key,
          d.period_type, d.period_start, d.action, d.check_name, d.decided_by, d.decided_at,
          d.reason, run_id) for d in decisions])
