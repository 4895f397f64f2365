"""The generator's contract for the dossier families, the catalogue and self-reported rates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import holidays
import pytest

from foundation.reference import provinces_gso34, provinces_gso63
from sample_generator.config import SampleConfig
from sample_generator.generate import generate
from tests.support.readback import read_rows

FORMATS = {"dossier_records": {"csv", "jsonl", "parquet"}, "dossier_events": {"csv", "parquet"}}
PARSERS = {
    "%d/%m/%Y %H:%M:%S": lambda s: dt.datetime.strptime(s, "%d/%m/%Y %H:%M:%S"),
    "%Y%m%d%H%M%S": lambda s: dt.datetime.strptime(s, "%Y%m%d%H%M%S"),
    "%Y-%m-%dT%H:%M:%S+07:00": lambda s: dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S+07:00"),
}
TIME_COLUMNS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayCapNhat")
VN_HOLIDAYS = holidays.country_holidays("VN", years=range(2024, 2027))


def parse(value: str | None, fmt: str) -> dt.datetime | None:
    if value is None:
        return None
    return PARSERS[fmt](value)


def parses(value: Any, fmt: str) -> bool:
    try:
        parse(value, fmt)
    except (ValueError, TypeError):
        return False
    return True


def files_of(truth: dict[str, Any], family: str) -> list[dict[str, Any]]:
    return [f for f in truth["files"] if f["family"] == family]


@pytest.fixture(scope="module")
def records(small_inbox: Path, ground_truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Every well-formed record row, timestamps parsed, with its file's dialect."""
    out = []
    for f in files_of(ground_truth, "dossier_records"):
        fmt = f["timestamp_format"]
        for row in read_rows(small_inbox / f["path"]):
            if "__unparseable__" in row or row.get("MaHoSo") is None:
                continue
            if not all(parses(row[c], fmt) for c in TIME_COLUMNS):
                continue
            parsed = dict(row)
            for c in TIME_COLUMNS:
                parsed[c] = parse(row[c], fmt)
            parsed["_file"] = f["path"]
            out.append(parsed)
    return out


@pytest.fixture(scope="module")
def catalogue(small_inbox: Path) -> dict[str, dict[str, Any]]:
    rows = read_rows(small_inbox / "catalogue/thu_tuc_hanh_chinh.xlsx")
    return {r["MaTTHC"]: r for r in rows}


def test_every_family_is_present_in_every_format(ground_truth: dict[str, Any]) -> None:
    families = {f["family"] for f in ground_truth["files"]}
    assert {"procedure_catalogue", "agencies", "dossier_records", "dossier_events",
            "self_reported_rates"} <= families
    for family, formats in FORMATS.items():
        assert {f["format"] for f in files_of(ground_truth, family)} == formats
    encodings = {(f["format"], f["encoding"], f["normalization"]) for f in ground_truth["files"]}
    assert ("csv", "utf-8-sig", "NFD") in encodings


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    config = SampleConfig(seed=5, dossiers=1_500, start=dt.date(2025, 6, 1),
                          end=dt.date(2025, 7, 31), survey_respondents_per_province=6,
                          officials_per_province=3, papi_respondents_per_province=4,
                          procedures=40)

    def digest(folder: Path) -> dict[str, str]:
        generate(config, folder)
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert len(first) > 10
    assert first == second
    other = SampleConfig(**{**vars(config), "seed": 6})
    generate(other, tmp_path / "c")
    changed = [p for p, h in first.items()
               if p.startswith("dossiers/")
               and hashlib.sha256((tmp_path / "c" / p).read_bytes()).hexdigest() != h]
    assert changed, "a different seed must give different dossiers"


def test_rows_in_manifest_match_the_files(small_inbox: Path, ground_truth: dict[str, Any]) -> None:
    for f in ground_truth["files"]:
        assert len(read_rows(small_inbox / f["path"])) == f["rows"], f["path"]


def _defects(truth: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    found = [d for d in truth["defects"] if d["kind"] == kind]
    assert found, f"the default sample must contain {kind}"
    return found


def _file_format(truth: dict[str, Any], path: str) -> str:
    return next(f["timestamp_format"] for f in truth["files"] if f["path"] == path)


def test_unparseable_dates_are_where_the_manifest_says(
    small_inbox: Path, ground_truth: dict[str, Any]
) -> None:
    for defect in _defects(ground_truth, "unparseable_date"):
        rows = read_rows(small_inbox / defect["file"])
        fmt = _file_format(ground_truth, defect["file"])
        column = defect["details"]["column"]
        bad = {i + 1 for i, r in enumerate(rows) if r.get(column) is not None
               and not parses(r[column], fmt)}
        assert bad == set(defect["rows"]), defect["file"]


def test_unknown_codes_and_missing_ids_are_where_the_manifest_says(
    small_inbox: Path, ground_truth: dict[str, Any]
) -> None:
    valid = {"KenhThucHien": {"1", "2", "3"},
             "LoaiSuKien": {"TIEP_NHAN", "CHUYEN_XU_LY", "YEU_CAU_BO_SUNG", "HOAN_THANH_BO_SUNG",
                            "XIN_LOI_HEN_LAI", "DA_XU_LY", "TU_CHOI", "RUT_HO_SO", "DUNG_XU_LY",
                            "DA_TRA_KET_QUA"}}
    for defect in _defects(ground_truth, "unknown_code"):
        rows = read_rows(small_inbox / defect["file"])
        column = defect["details"]["column"]
        unknown = {i + 1 for i, r in enumerate(rows)
                   if "__unparseable__" not in r and str(r[column]) not in valid[column]}
        assert unknown == set(defect["rows"]), defect["file"]
    for defect in _defects(ground_truth, "missing_id"):
        rows = read_rows(small_inbox / defect["file"])
        missing = {i + 1 for i, r in enumerate(rows)
                   if "__unparseable__" not in r and r["MaHoSo"] is None}
        assert missing == set(defect["rows"]), defect["file"]


def test_duplicates_are_exact_copies(small_inbox: Path, ground_truth: dict[str, Any]) -> None:
    for defect in _defects(ground_truth, "duplicate_row"):
        rows = read_rows(small_inbox / defect["file"])
        for copy, original in zip(defect["rows"], defect["details"]["duplicate_of"], strict=True):
            assert rows[copy - 1] == rows[original - 1]
        seen = Counter(json.dumps(r, sort_keys=True, default=str) for r in rows)
        assert sum(c - 1 for c in seen.values()) == len(defect["rows"])


def test_truncated_file_ends_mid_row(small_inbox: Path, ground_truth: dict[str, Any]) -> None:
    (defect,) = _defects(ground_truth, "truncated_file")
    text = (small_inbox / defect["file"]).read_text(encoding="utf-8")
    lines = text.split("\n")
    assert len(lines) == defect["rows"][0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[-1])
    json.loads(lines[-2])


def _working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end], straight from the holiday library."""
    days = (start + dt.timedelta(n) for n in range(1, (end - start).days + 1))
    return sum(VN_HOLIDAYS.is_working_day(d) for d in days)


def test_due_dates_are_working_days_from_the_legal_time(
    small_inbox: Path, records: list[dict[str, Any]], catalogue: dict[str, dict[str, Any]],
    ground_truth: dict[str, Any],
) -> None:
    """Due = the N-th working day after receipt, same clock time; only injected rows differ."""
    injected = set()
    for defect in _defects(ground_truth, "due_date_inconsistent"):
        rows = read_rows(small_inbox / defect["file"])
        injected |= {rows[r - 1]["MaHoSo"] for r in defect["rows"]}
    checked, across_tet, mismatched = set(), 0, set()
    for row in records:
        proc = catalogue[row["MaTTHC"]]
        if proc["DonViThoiGian"] != "ngay_lam_viec" or row["NgayHenTra"] is None:
            continue
        received, due = row["NgayTiepNhan"], row["NgayHenTra"]
        legal = int(proc["ThoiHanGiaiQuyet"])
        if (_working_days_after(received.date(), due.date()) != legal
                or not VN_HOLIDAYS.is_working_day(due.date()) or due.time() != received.time()):
            mismatched.add(row["MaHoSo"])
        checked.add(row["MaHoSo"])
        across_tet += received.date() < dt.date(2025, 1, 27) < due.date()
    assert len(checked) > 5_000 and across_tet > 50
    assert mismatched == injected & checked
    assert mismatched


def test_due_date_inconsistencies_are_at_the_listed_rows(
    small_inbox: Path, ground_truth: dict[str, Any], catalogue: dict[str, dict[str, Any]]
) -> None:
    for defect in _defects(ground_truth, "due_date_inconsistent"):
        rows = read_rows(small_inbox / defect["file"])
        fmt = _file_format(ground_truth, defect["file"])
        for r in defect["rows"]:
            row = rows[r - 1]
            legal = int(catalogue[row["MaTTHC"]]["ThoiHanGiaiQuyet"])
            received, due = parse(row["NgayTiepNhan"], fmt), parse(row["NgayHenTra"], fmt)
            assert _working_days_after(received.date(), due.date()) > legal


def test_no_district_level_after_the_merger(records: list[dict[str, Any]]) -> None:
    after = [r for r in records if r["NgayNopHoSo"].date() >= dt.date(2025, 7, 1)]
    before = [r for r in records if r["NgayNopHoSo"].date() < dt.date(2025, 7, 1)]
    assert after and before
    assert not [r for r in after if r["CapThucHien"] == "huyen"]
    assert any(r["CapThucHien"] == "huyen" for r in before)


def test_province_codes_are_valid_for_their_date(records: list[dict[str, Any]]) -> None:
    old = {p.code for p in provinces_gso63()}
    new = {p.code for p in provinces_gso34()}
    for r in records:
        if r["NgayNopHoSo"].date() < dt.date(2025, 7, 1):
            assert r["MaTinh"] in old and r["MaDonVi"].startswith(f"T63.{r['MaTinh']}.")
        else:
            assert r["MaTinh"] in new and r["MaDonVi"].startswith(f"T34.{r['MaTinh']}.")


def test_volume_follows_tet(records: list[dict[str, Any]]) -> None:
    per_day = Counter(r["NgayNopHoSo"].date() for r in records if r["PhienBan"] in (1, "1"))
    tet = [per_day[dt.date(2025, 1, 27) + dt.timedelta(n)] for n in range(6)]
    march = [per_day[dt.date(2025, 3, 3) + dt.timedelta(n)] for n in range(5)]
    assert sum(tet) / len(tet) < 0.3 * sum(march) / len(march)


def test_personal_data_looks_real(records: list[dict[str, Any]]) -> None:
    for r in records[:2_000]:
        assert len(r["SoDinhDanh"]) == 12 and r["SoDinhDanh"].isdigit()
        assert len(r["SoDienThoai"]) == 10 and r["SoDienThoai"].startswith("0")
        assert len(r["ChuHoSo"].split()) >= 3


def _final_versions(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for r in records:
        if r["MaHoSo"] not in latest or int(r["PhienBan"]) > int(latest[r["MaHoSo"]]["PhienBan"]):
            latest[r["MaHoSo"]] = r
    return latest


def test_gaming_agencies_close_on_the_due_minute(
    records: list[dict[str, Any]], ground_truth: dict[str, Any]
) -> None:
    closed = [r for r in _final_versions(records).values() if r["NgayKetThucXuLy"] is not None
              and str(r["TrangThaiHoSo"]) in ("9", "10")]
    at_due = [r["NgayKetThucXuLy"] == r["NgayHenTra"] for r in closed]
    assert sum(at_due) / len(at_due) < 0.02
    for defect in _defects(ground_truth, "gaming_close_at_due"):
        mine = [r for r in closed if r["MaDonVi"] == defect["details"]["agency_code"]]
        if len(mine) >= 10:
            share = sum(r["NgayKetThucXuLy"] == r["NgayHenTra"] for r in mine) / len(mine)
            assert share >= 0.25


def test_gaming_agencies_request_supplements_on_the_last_day(
    records: list[dict[str, Any]], ground_truth: dict[str, Any]
) -> None:
    on_due_day, requests = Counter(), Counter()
    for r in records:
        if str(r["TrangThaiHoSo"]) == "5":
            requests[r["MaDonVi"]] += 1
            on_due_day[r["MaDonVi"]] += r["NgayCapNhat"].date() == r["NgayHenTra"].date()
    gaming = {d["details"]["agency_code"] for d in
              _defects(ground_truth, "gaming_supplement_on_last_day")}
    others = [a for a in requests if a not in gaming]
    assert sum(on_due_day[a] for a in others) / sum(requests[a] for a in others) < 0.15
    assert sum(on_due_day[a] for a in gaming) / sum(requests[a] for a in gaming) >= 0.5


def test_sync_gap_leaves_days_without_dossiers(
    records: list[dict[str, Any]], ground_truth: dict[str, Any]
) -> None:
    (gap,) = _defects(ground_truth, "sync_gap")
    d = gap["details"]
    start, end = dt.date.fromisoformat(d["from"]), dt.date.fromisoformat(d["to"])
    mine = Counter(r["NgayNopHoSo"].date() for r in records
                   if r["MaTinh"] == d["province_code"] and r["MaDonVi"].startswith("T34."))
    assert all(mine[start + dt.timedelta(n)] == 0 for n in range((end - start).days + 1))
    week_before = sum(mine[start - dt.timedelta(n)] for n in range(1, 15))
    assert week_before > 0


def test_self_reported_rate_disagrees_with_the_log(
    small_inbox: Path, ground_truth: dict[str, Any]
) -> None:
    for defect in _defects(ground_truth, "self_report_mismatch"):
        rows = read_rows(small_inbox / defect["file"])
        code = defect["details"]["province_code"]
        flagged = {i + 1 for i, r in enumerate(rows)
                   if r["MaTinh"] == code and float(r["TyLeDungHan"]) == 99.99}
        assert flagged == set(defect["rows"])
        assert defect["details"]["computed"] < 95.0
        honest = [float(r["TyLeDungHan"]) for r in rows if r["MaTinh"] != code]
        assert 99.99 not in honest


def test_windows_and_the_next_day_delivery(tmp_path: Path) -> None:
    """Drawn in many small windows, every dossier id still names one dossier; nothing in the
    sample happens after its last day; the next day's delivery holds that day's rows only: the
    day's new dossiers and updates of the sample's open ones, with a ground truth of its own."""
    config = SampleConfig(seed=7, dossiers=3_000, start=dt.date(2025, 6, 2),
                          end=dt.date(2025, 7, 30), survey_respondents_per_province=4,
                          officials_per_province=2, procedures=40, batch_dossiers=400,
                          increment_dossiers=500)
    generate(config, tmp_path)
    truth = json.loads((tmp_path / "_ground_truth.json").read_text(encoding="utf-8"))
    submitted: dict[str, set[str]] = {}
    known: set[str] = set()  # every id the sample sent, planted bad dates included
    last_change = dt.datetime.min
    for f in files_of(truth, "dossier_records"):
        fmt = f["timestamp_format"]
        for row in read_rows(tmp_path / f["path"]):
            known.add(row.get("MaHoSo"))
            if "__unparseable__" in row:  # the truncated line still names its dossier
                known.update(re.findall(r'"MaHoSo":"([^"]+)"', row["__unparseable__"]))
            if "__unparseable__" in row or row.get("MaHoSo") is None \
                    or not parses(row["NgayNopHoSo"], fmt) or not parses(row["NgayCapNhat"], fmt):
                continue
            submitted.setdefault(row["MaHoSo"], set()).add(row["NgayNopHoSo"])
            last_change = max(last_change, parse(row["NgayCapNhat"], fmt))
    assert len(submitted) > 2_000
    assert all(len(times) == 1 for times in submitted.values())  # one dossier per id
    assert last_change.date() <= config.end
    delivery = tmp_path / "_increment"
    increment = json.loads((delivery / "_ground_truth.json").read_text(encoding="utf-8"))
    assert {f["family"] for f in increment["files"]} == {"dossier_records", "dossier_events"}
    new, updated = set(), set()
    for f in files_of(increment, "dossier_records"):
        assert f["path"].endswith(("_2025-07-31.csv", "_2025-07-31.jsonl", "_2025-07-31.parquet"))
        fmt = f["timestamp_format"]
        for row in read_rows(delivery / f["path"]):
            if "__unparseable__" in row or row.get("MaHoSo") is None \
                    or not parses(row["NgayCapNhat"], fmt):
                continue
            assert parse(row["NgayCapNhat"], fmt).date() == dt.date(2025, 7, 31)
            (updated if row["MaHoSo"] in known else new).add(row["MaHoSo"])
    assert len(new) > 300 and [i for i in new if i[4:10] != "250731"] == []
    assert len(updated) > 20  # the sample's open dossiers go on in the delivery
