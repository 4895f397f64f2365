"""A small hand-made `raw` layer for the dbt project's tests.

Rows are written by column name (`insert ... by name`), so columns a contract adds later
stay null here instead of breaking the fixture. The dossiers straddle 2025-07-01 with the
reused code 15 (Yên Bái in gso63, Lào Cai in gso34) and carry several versions each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

from foundation.calendar import calendar_table
from foundation.reference import provinces_gso34, provinces_gso63
from ingestion.schema import create_raw_schema

LOADED_AT = dt.datetime(2025, 10, 1, 8, 0, 0)
CALENDAR_YEARS = (2023, 2027)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]],
            source_file: str) -> None:
    lineage = {"_source_file": source_file, "_file_sha256": f"sha-{source_file}",
               "_loaded_at": LOADED_AT}
    full = [{**row, **lineage, "_source_row": i} for i, row in enumerate(rows, start=1)]
    con.register("batch", pa.Table.from_pylist(full))
    con.execute(f"insert into raw.{table} by name select * from batch")
    con.unregister("batch")


def agencies() -> list[dict[str, Any]]:
    rows = []
    for p in provinces_gso63():
        rows.append({"agency_code": f"T63.{p.code}.S001", "agency_name": "Sở Tư pháp",
                     "level": "tinh", "province_code": p.code, "code_system": "gso63",
                     "valid_from": dt.date(2008, 8, 1), "valid_to": dt.date(2025, 6, 30)})
        rows.append({"agency_code": f"T63.{p.code}.H001", "agency_name": "UBND huyện số 1",
                     "level": "huyen", "province_code": p.code, "code_system": "gso63",
                     "valid_from": dt.date(2008, 8, 1), "valid_to": dt.date(2025, 6, 30)})
    for p in provinces_gso34():
        rows.append({"agency_code": f"T34.{p.code}.X001", "agency_name": "UBND xã số 1",
                     "level": "xa", "province_code": p.code, "code_system": "gso34",
                     "valid_from": dt.date(2025, 7, 1), "valid_to": None})
    return rows


PROCEDURES = [
    {"procedure_code": "1.001234", "procedure_name": "Cấp giấy phép xây dựng",
     "field_code": "G05", "field_name": "Hoạt động xây dựng", "levels": "tinh;huyen",
     "legal_time_value": 15, "legal_time_unit": "ngay_lam_viec", "online_level": "mot_phan",
     "fee_bearing": 1, "paper_result": 1},
    {"procedure_code": "2.000567", "procedure_name": "Đăng ký khai sinh",
     "field_code": "G02", "field_name": "Hộ tịch", "levels": "xa ; huyen",
     "legal_time_value": 1, "legal_time_unit": "ngay_lam_viec", "online_level": "toan_trinh",
     "fee_bearing": 0, "paper_result": 1},
    {"procedure_code": "1.009999", "procedure_name": "Cấp lý lịch tư pháp",
     "field_code": "G15", "field_name": "Lý lịch tư pháp", "levels": "tinh",
     "legal_time_value": 10, "legal_time_unit": "ngay", "online_level": "toan_trinh",
     "fee_bearing": 1, "paper_result": 0},
]


def _record(dossier_id: str, version: int, agency: str, province: str, level: str,
            submitted: str, updated: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "dossier_id": dossier_id, "version": version, "procedure_code": "1.001234",
        "field_code": "G05", "agency_code": agency, "province_code": province, "level": level,
        "channel": "2", "submitted_at": _ts(submitted), "updated_at": _ts(updated),
        "status_code": status, "paid_online": "1", "has_digitised_component": 1, "digitised": 1,
        "reused_from_national_store": 0, "vneid_authenticated": 1, "has_complaint": 0,
        "applicant_name_hmac": "hmac-name", "applicant_national_id_hmac": "hmac-id",
        "applicant_phone_hmac": "hmac-phone", **extra,
    }


DOSSIER_RECORDS = [
    # Yên Bái (gso63:15), filed on the last day of the old system, two versions
    _record("H15-0001", 1, "T63.15.S001", "15", "tinh", "2025-06-30 16:59:00",
            "2025-06-30 17:00:00", "2", received_at=_ts("2025-06-30 17:00:00"),
            due_at=_ts("2025-07-21 17:00:00")),
    _record("H15-0001", 2, "T63.15.S001", "15", "tinh", "2025-06-30 16:59:00",
            "2025-07-15 10:00:00", "10", received_at=_ts("2025-06-30 17:00:00"),
            due_at=_ts("2025-07-21 17:00:00"), processing_ended_at=_ts("2025-07-14 09:00:00"),
            result_returned_at=_ts("2025-07-15 10:00:00"), rating="hai_long"),
    # Lào Cai (gso34:15), filed on the first day of the new system
    _record("M15-0001", 1, "T34.15.X001", "15", "xa", "2025-07-01 08:00:00",
            "2025-07-01 08:05:00", "4", received_at=_ts("2025-07-01 08:05:00")),
    # Hà Nội with the code as a number lost its zero ("1"), during Tết 2025
    _record("H01-0001", 1, "T63.01.H001", "1", "huyen", "2025-01-27 09:00:00",
            "2025-02-03 08:00:00", "2"),
    # Huế across the merger: same code 46
    _record("M46-0001", 1, "T34.46.X001", "46", "xa", "2025-08-04 10:00:00",
            "2025-08-04 10:00:00", "1"),
]

DOSSIER_EVENTS = [
    {"event_id": "H15-0001-01", "dossier_id": "H15-0001", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-06-30 17:00:00"), "status_code": "2", "agency_code": "T63.15.S001"},
    {"event_id": "H15-0001-02", "dossier_id": "H15-0001", "event_type": "DA_XU_LY",
     "event_at": _ts("2025-07-14 09:00:00"), "status_code": "9", "agency_code": "T63.15.S001"},
    {"event_id": "H15-0001-03", "dossier_id": "H15-0001", "event_type": "DA_TRA_KET_QUA",
     "event_at": _ts("2025-07-15 10:00:00"), "status_code": "10", "agency_code": "T63.15.S001"},
    {"event_id": "M15-0001-01", "dossier_id": "M15-0001", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-07-01 08:05:00"), "status_code": "2", "agency_code": "T34.15.X001"},
    # a system that exports the processing history alone: one lifecycle from its events
    {"event_id": "M46-EV-01", "dossier_id": "M46-EVENTS", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-08-05 09:00:00"), "status_code": "2", "agency_code": "T34.46.X001"},
    {"event_id": "M46-EV-02", "dossier_id": "M46-EVENTS", "event_type": "DA_XU_LY",
     "event_at": _ts("2025-08-06 15:00:00"), "status_code": "9", "agency_code": "T34.46.X001"},
    # rows that each keep their contract but together cannot be true (consistency flags): a
    # dossier processed an hour before it was received, and one known only by events from an
    # agency the agency list does not have (it would have no province: a null the lifecycle's
    # error-severity tests refuse)
    {"event_id": "H01-ORDER-01", "dossier_id": "H01-ORDER", "event_type": "DA_XU_LY",
     "event_at": _ts("2025-02-03 08:00:00"), "status_code": "9", "agency_code": "T63.01.H001"},
    {"event_id": "H01-ORDER-02", "dossier_id": "H01-ORDER", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-02-03 09:00:00"), "status_code": "2", "agency_code": "T63.01.H001"},
    {"event_id": "X99-ORPHAN-01", "dossier_id": "X99-ORPHAN", "event_type": "TIEP_NHAN",
     "event_at": _ts("2025-08-05 09:00:00"), "status_code": "2", "agency_code": "X.99.S001"},
]

SELF_REPORTED = [
    {"year": 2025, "month": 6, "province_code": "15", "province_name": "Yên Bái",
     "processed_reported": 1200, "on_time_reported": 1199, "on_time_rate_reported": 99.92},
    {"year": 2025, "month": 7, "province_code": "15", "province_name": "Lào Cai",
     "processed_reported": 2400, "on_time_reported": 2400, "on_time_rate_reported": 99.99},
]

LOAD_MANIFEST = [
    {"source_file": "dossiers/2025-07.jsonl", "file_sha256": "sha-dossiers", "family":
     "dossier_records", "status": "loaded", "reason": None, "rows_in": 6, "rows_loaded": 5,
     "rows_quarantined": 1, "rows_new": 5, "loaded_at": LOADED_AT, "seconds": 0.1},
]

QUARANTINE = [
    {"source_file": "dossiers/2025-07.jsonl", "file_sha256": "sha-dossiers",
     "family": "dossier_records", "source_row": 6, "field": "NgayNopHoSo",
     "reason": "unparseable timestamp", "raw_value": "31/02/2025", "quarantined_at": LOADED_AT},
]


def _questions(year: int, codes: dict[str, str], group: str) -> list[dict[str, Any]]:
    return [{"survey_year": year, "question_code": q, group: g, "scale_min": 1, "scale_max": 5,
             "weight": 1.0} for q, g in codes.items()]


SIPAS_QUESTIONNAIRE = [
    {**q, "aspect": "satisfaction", "index_rule": "top2_share"}
    for year in (2024, 2025) for q in _questions(year, {"C13": "1", "C24": "2"}, "element_code")
]
SIPAS_RESPONSES = [
    # SIPAS 2024 was fielded before the merger (gso63), SIPAS 2025 after it (gso34)
    {"survey_id": "SIPAS-2024", "survey_year": 2024, "province_code": "15", "district_code": "153",
     "commune_code": "15301", "respondent_id": "2024150001", "interviewer_id": "DTV15-01",
     "mode": "truc_tiep", "started_at": _ts("2024-09-03 08:00:00"),
     "ended_at": _ts("2024-09-03 08:27:00"), "weight": 1.2, "birth_year": 1980},
    {"survey_id": "SIPAS-2025", "survey_year": 2025, "province_code": "15",
     "commune_code": "15001", "respondent_id": "2025150001", "interviewer_id": None,
     "mode": "truc_tuyen", "started_at": _ts("2025-08-04 09:00:00"),
     "ended_at": _ts("2025-08-04 09:14:00"), "weight": 0.9, "birth_year": 1992},
]
SIPAS_ANSWERS = [
    {"survey_id": r["survey_id"], "respondent_id": r["respondent_id"], "question_code": q,
     "answer": a}
    for r in SIPAS_RESPONSES for q, a in (("C13", 4), ("C24", 5))
]
OFFICIALS_QUESTIONNAIRE = _questions(2025, {"CB11": "1", "CB31": "3"}, "par_field_code")
OFFICIALS_RESPONSES = [
    {"survey_id": "CBLD-2025", "survey_year": 2025, "province_code": "46",
     "respondent_id": "CB202546001", "interviewer_id": "CBDT46-01", "position": "Giám đốc Sở",
     "started_at": _ts("2025-09-10 14:00:00"), "ended_at": _ts("2025-09-10 14:18:00")},
]
OFFICIALS_ANSWERS = [
    {"survey_id": "CBLD-2025", "respondent_id": "CB202546001", "question_code": q, "answer": a}
    for q, a in (("CB11", 4), ("CB31", 3))
]
PAR_METHODOLOGY = [
    {"methodology_version": "876/QĐ-BNV", "valid_from_year": 2022, "valid_to_year": 2030,
     "field_code": code.split(".")[0], "criterion_code": code, "max_points": points,
     "source": source}
    for code, points, source in (("1.1.1", 0.5, "tham_dinh"), ("1.6", 2.5, "dieu_tra_xhh"),
                                 ("3.3.1", 1.0, "tham_dinh"))
]
PAR_SCORES = [
    # code 52: Bình Định in 2024 (gso63), Gia Lai in 2025 (gso34)
    {"year": year, "province_code": "52", "criterion_code": code, "max_points": points,
     "self_assessed_points": points, "appraised_points": points - 0.25 * (code == "3.3.1")}
    for year in (2024, 2025) for code, points in (("1.1.1", 0.5), ("1.6", 2.5), ("3.3.1", 1.0))
]
PAR_INTERNAL_METHODOLOGY = [
    {"province_code": "36", "block": "so_nganh", "valid_from_year": 2024, "field_code": "1",
     "criterion_code": "1.1", "criterion_name": "Kế hoạch CCHC", "max_points": 2.0,
     "source": "tham_dinh"},
]
PAR_INTERNAL_SCORES = [
    {"year": 2024, "province_code": "36", "block": "so_nganh", "unit_code": "S01",
     "unit_name": "Sở Tư pháp", "criterion_code": "1.1", "max_points": 2.0,
     "self_assessed_points": 2.0, "appraised_points": 1.75},
]


def build_raw_layer(path: str) -> None:
    """The `raw` schema as ingestion and the orchestration leave it, filled with the rows above."""
    con = duckdb.connect(path)
    try:
        create_raw_schema(con)
        # as the orchestration's raw_calendar_days asset writes it
        con.register("calendar", calendar_table(*CALENDAR_YEARS))
        con.execute("create or replace table raw.calendar_days as select * from calendar")
        _insert(con, "agencies", agencies(), "reference/agencies.csv")
        _insert(con, "procedure_catalogue", PROCEDURES, "catalogue/thu_tuc_hanh_chinh.xlsx")
        _insert(con, "dossier_records", DOSSIER_RECORDS, "dossiers/2025-07.jsonl")
        _insert(con, "dossier_events", DOSSIER_EVENTS, "dossiers/events-2025-07.csv")
        _insert(con, "self_reported_rates", SELF_REPORTED, "self_reported/2025.xlsx")
        _insert(con, "sipas_questionnaire", SIPAS_QUESTIONNAIRE, "surveys/sipas/q.csv")
        _insert(con, "sipas_responses", SIPAS_RESPONSES, "surveys/sipas/sipas.csv")
        _insert(con, "sipas_answers", SIPAS_ANSWERS, "surveys/sipas/sipas.csv")
        _insert(con, "officials_questionnaire", OFFICIALS_QUESTIONNAIRE, "surveys/officials/q.csv")
        _insert(con, "officials_responses", OFFICIALS_RESPONSES, "surveys/officials/cb.xlsx")
        _insert(con, "officials_answers", OFFICIALS_ANSWERS, "surveys/officials/cb.xlsx")
        _insert(con, "par_methodology", PAR_METHODOLOGY, "par_index/methodology.csv")
        _insert(con, "par_scores", PAR_SCORES, "par_index/scores.csv")
        _insert(con, "par_internal_methodology", PAR_INTERNAL_METHODOLOGY, "par_index/int.xlsx")
        _insert(con, "par_internal_scores", PAR_INTERNAL_SCORES, "par_index/int.xlsx")
        for table, rows in (("load_manifest", LOAD_MANIFEST), ("quarantine", QUARANTINE)):
            con.register("batch", pa.Table.from_pylist(rows))
            con.execute(f"insert into raw.{table} by name select * from batch")
            con.unregister("batch")
    finally:
        con.close()
