"""Steward decision files: a valid file becomes decisions; every fault names the file and the
line a steward has to fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from quality.decisions import DecisionError, parse_file

PROVINCES = {"gso34:25", "gso34:01", "gso63:25"}
AGENCIES = {"T34.86.X001"}
CHECKS = {"survey_near_duplicates", "dossier_deadline_bunching"}

VALID = """\
decisions:
  - index: sipas
    unit: "gso34:25"
    period: "2025"
    action: release
    check: survey_near_duplicates
    by: "Nguyễn Thị Lan, Sở Nội vụ"
    at: "2026-01-15T09:30:00+07:00"
    reason: "Đã phúc tra 30 phiếu tại thực địa."
  - index: service_index
    unit: T34.86.X001
    period: "2025-09"
    action: withhold
    by: "Trần Văn Minh"
    at: "2026-01-16T10:00:00"
    reason: "Chờ giải trình."
"""


def parse(tmp_path: Path, text: str) -> list:
    path = tmp_path / "steward.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_file(path, provinces=PROVINCES, agencies=AGENCIES, checks=CHECKS)


def test_a_valid_file_gives_its_decisions_with_their_lines(tmp_path: Path) -> None:
    first, second = parse(tmp_path, VALID)
    assert (first.decision_ref, first.unit_type, first.period_type, first.period_start) == (
        "steward.yaml:2", "province", "year", dt.date(2025, 1, 1))
    # 09:30 in Vietnam is 02:30 UTC; a time without a zone is Vietnam time too
    assert first.decided_at == dt.datetime(2026, 1, 15, 2, 30)
    assert second.decided_at == dt.datetime(2026, 1, 16, 3, 0)
    assert (second.unit_type, second.period_type, second.period_start, second.action) == (
        "agency", "month", dt.date(2025, 9, 1), "withhold")
    assert second.decision_ref == "steward.yaml:10"


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ('unit: "gso34:25"', 'unit: "gso34:99"', 3, "unknown unit 'gso34:99'"),
    ("index: sipas", "index: papi2", 2, "unknown index 'papi2'"),
    ("check: survey_near_duplicates", "check: made_up", 6, "unknown check 'made_up'"),
    ('    reason: "Đã phúc tra 30 phiếu tại thực địa."\n', "", 2, "decision lacks reason"),
    ('period: "2025"', 'period: "2025-13"', 4, "period '2025-13'"),
    ("action: release", "action: publish", 5, "must be release or withhold"),
    ("    by:", "    who:", 7, "unknown field 'who'"),
])
def test_each_fault_names_the_file_and_line(tmp_path: Path, old: str, new: str, line: int,
                                            words: str) -> None:
    with pytest.raises(DecisionError) as caught:
        parse(tmp_path, VALID.replace(old, new, 1))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'steward.yaml'}:{line}: "), message
    assert words in message


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(DecisionError, match=r"steward\.yaml:3: not valid YAML"):
        parse(tmp_path, "decisions:\n  - index: sipas\n    unit: [unclosed\n")
