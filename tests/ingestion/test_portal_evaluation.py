"""The portal's evaluation export: nested JSON flattened into rows the contract checks, every
row loaded or quarantined, an envelope that says the call failed rejected with its message."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion import portal_evaluation
from ingestion.loader import load_inbox

KEY = b"chiso-portal-evaluation-tests" * 2

METRICS = {"code": 200, "message": "OK", "data": {"year": 2025, "month": 8, "group": "PUBLICITY",
           "units": [
               {"unitCode": "15", "unitName": "Tỉnh Lào Cai", "unitType": "province",
                "parentCode": None, "metrics": [
                    {"code": "PUBLISH_ON_TIME", "name": "Công bố đúng hạn", "numerator": 3,
                     "denominator": 4, "ratio": 0.75, "score": 4.5, "maxScore": 6},
                    # the portal's nulls stay nulls
                    {"code": "DOSSIER_SYNC", "name": None, "numerator": None,
                     "denominator": None, "ratio": None, "score": None, "maxScore": 6}]},
               {"unitCode": "T34.15.X001", "unitName": "UBND xã số 1", "unitType": "agency",
                "parentCode": "15", "metrics": [
                    # not a metric the contract knows: quarantined, not lost
                    {"code": "SOMETHING_NEW", "numerator": 1, "denominator": 1, "ratio": 1,
                     "score": 6, "maxScore": 6}]}]}}

PAYMENT_TREE = {"code": 200, "message": "OK", "data": {
    "year": 2025, "month": 8, "group": "PAYMENT",
    "parent": {"unitCode": "15", "unitType": "province", "feeDossiers": 10,
               "paidOnlineDossiers": 5, "feeProcedures": 4, "integratedFeeProcedures": 2,
               "feeProceduresWithDossiers": 4, "score": 7.75, "maxScore": 10,
               "children": [{"unitCode": "T34.15.X001", "unitType": "agency", "feeDossiers": 0,
                             "paidOnlineDossiers": 0, "feeProcedures": 4,
                             "integratedFeeProcedures": 0, "feeProceduresWithDossiers": 0,
                             "score": 0, "maxScore": 10}]}}}


def test_metrics_become_one_row_each_with_nulls_kept() -> None:
    rows = portal_evaluation.flatten(METRICS)
    assert [(r["unitCode"], r["code"]) for r in rows] == [
        ("15", "PUBLISH_ON_TIME"), ("15", "DOSSIER_SYNC"), ("T34.15.X001", "SOMETHING_NEW")]
    assert rows[1]["numerator"] is None and rows[1]["score"] is None
    assert rows[2]["parentCode"] == "15" and rows[0]["year"] == 2025


def test_a_tree_gives_each_node_its_ratios_and_the_groups_score() -> None:
    rows = portal_evaluation.flatten(PAYMENT_TREE)
    # 2 nodes x (3 ratios + the group's score row)
    assert len(rows) == 8
    parent = {r["code"]: r for r in rows if r["unitCode"] == "15"}
    assert parent["PAYMENT_DOSSIER_ONLINE"]["ratio"] == 0.5  # 5 / 10
    assert parent["PAYMENT_PROCEDURE_INTEGRATED"]["ratio"] == 0.5  # 2 / 4
    assert parent["PAYMENT"]["score"] == 7.75 and parent["PAYMENT"]["numerator"] is None
    child = {r["code"]: r for r in rows if r["unitCode"] == "T34.15.X001"}
    assert child["PAYMENT_DOSSIER_ONLINE"]["ratio"] is None  # nothing to pay: no ratio
    assert child["PAYMENT"]["parentCode"] == "15"


def test_a_failed_call_is_not_an_export() -> None:
    with pytest.raises(portal_evaluation.NotAnEvaluationExport, match=r"code 500.*quá tải"):
        portal_evaluation.flatten({"code": 500, "message": "Hệ thống quá tải", "data": None})


def test_loaded_or_quarantined_never_lost(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "portal").mkdir(parents=True)
    (inbox / "portal" / "publicity.json").write_text(json.dumps(METRICS, ensure_ascii=False),
                                                   encoding="utf-8")
    (inbox / "portal" / "payment.json").write_text(json.dumps(PAYMENT_TREE), encoding="utf-8")
    (inbox / "portal" / "failed.json").write_text(
        json.dumps({"code": 500, "message": "Hệ thống quá tải", "data": None}), encoding="utf-8")
    con = duckdb.connect()
    results = {r.source_file: r for r in load_inbox(con, inbox, pii_key=KEY)}
    assert results["portal/failed.json"].status == "rejected"
    assert "quá tải" in results["portal/failed.json"].reason
    loaded = con.execute("select count(*) from raw.portal_evaluation").fetchone()[0]
    quarantined = con.execute("""
        select count(*), min(source_row), min(reason) from raw.quarantine
        where source_file in ('portal/publicity.json', 'portal/payment.json')
    """).fetchone()
    # 3 metrics + 2 nodes x 4 rows in; the unknown metric (row 3 of the flattened file) out
    assert loaded + quarantined[0] == 3 + 8 and quarantined[0] == 1
    assert quarantined[1] == 3 and quarantined[2].startswith("unknown code")
    assert con.execute("""
        select count(*) from raw.portal_evaluation
        where metric_code = 'DOSSIER_SYNC' and numerator is null and max_score = 6
    """).fetchone()[0] == 1
