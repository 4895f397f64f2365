"""Layout recognition by signature columns, and pseudonymisation of personal data."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingestion.contracts import CONTRACTS, DOSSIER_RECORDS, PAR_INTERNAL_SCORES, PAR_SCORES
from ingestion.layout import detect_family, explain_unknown
from ingestion.loader import load_file, load_inbox
from ingestion.pseudonymise import PiiKeyError, pii_key_from_env, pseudonymise
from tests.ingestion.helpers import PII_KEY, RECORD_COLUMNS, record, write_csv


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.family)
def test_each_contract_is_recognised_by_its_own_columns(contract) -> None:
    columns = [f.source for f in contract.fields]
    assert detect_family(columns) is contract
    assert detect_family(["\ufeff" + columns[0], *columns[1:]]) is contract


def test_the_most_specific_signature_wins() -> None:
    internal = [f.source for f in PAR_INTERNAL_SCORES.fields]
    assert PAR_SCORES.signature < PAR_INTERNAL_SCORES.signature
    assert detect_family(internal) is PAR_INTERNAL_SCORES


def test_unknown_layout_is_explained() -> None:
    columns = ["MaHoSo", "Ten", "Ngay"]
    assert detect_family(columns) is None
    reason = explain_unknown(columns)
    assert reason.startswith("unknown layout")
    assert "closest: dossier_records" in reason and "TrangThaiHoSo" in reason


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHISO_PII_KEY", raising=False)
    with pytest.raises(PiiKeyError, match="CHISO_PII_KEY is not set"):
        pii_key_from_env()
    monkeypatch.setenv("CHISO_PII_KEY", "short")
    with pytest.raises(PiiKeyError, match="at least 16 bytes"):
        pii_key_from_env()
    monkeypatch.setenv("CHISO_PII_KEY", "a-long-enough-secret-key")
    assert pii_key_from_env() == b"a-long-enough-secret-key"


def test_missing_key_stops_the_load_before_anything_is_written(
        tmp_path: Path, inbox: Path) -> None:
    write_csv(inbox / "ho_so.csv", RECORD_COLUMNS, [record(1)])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(PiiKeyError):
        load_inbox(con, inbox, pii_key=b"")
    with pytest.raises(PiiKeyError):
        load_file(con, inbox / "ho_so.csv", inbox=inbox, pii_key=b"")
    assert con.execute("select count(*) from information_schema.schemata "
                       "where schema_name = 'raw'").fetchone() == (0,)


def test_keyed_hash_of_the_canonical_form() -> None:
    name = "Nguyễn Thị Hồng Nhung"
    values = pa.array([name, unicodedata.normalize("NFD", name), "  nguyễn  thị hồng nhung ",
                       None])
    hashed = pseudonymise(values, "name", PII_KEY).to_pylist()
    expected = hmac.new(PII_KEY, "nguyễn thị hồng nhung".encode(), hashlib.sha256).hexdigest()
    assert hashed == [expected, expected, expected, None]
    phones = pseudonymise(pa.array(["0912 345 678", "+84912345678", "0912.345.678"]),
                          "phone", PII_KEY).to_pylist()
    assert len(set(phones)) == 1
    other_key = pseudonymise(pa.array([name]), "name", b"another-key-of-16+bytes").to_pylist()
    assert other_key != [expected]


def test_keyed_hash_is_hmac_sha256_for_any_key_length() -> None:
    # RFC 2104 hashes a key longer than SHA-256's 64-byte block first: the per-value copies of
    # the keyed state must give what the one-shot HMAC gives, for short and long keys alike
    values = ["a", "Lê Văn Tám", "0912345678", "x" * 200]
    for key in (PII_KEY, b"k" * 64, b"a-key-longer-than-one-sha256-block-" * 3):
        hashed = pseudonymise(pa.array(values), "name", key).to_pylist()
        assert hashed == [hmac.new(key, v.lower().encode(), hashlib.sha256).hexdigest()
                          for v in values]


def test_identity_numbers_sent_as_numbers_are_hashed_too() -> None:
    hashed = pseudonymise(pa.array([12345678901]), "national_id", PII_KEY).to_pylist()
    assert hashed == [hmac.new(PII_KEY, b"12345678901", hashlib.sha256).hexdigest()]


def test_contract_keys_are_required() -> None:
    for contract in CONTRACTS:
        for name in contract.key:
            assert contract.field(name).required
    assert {f.pii for f in DOSSIER_RECORDS.fields if f.pii} == {"name", "national_id", "phone"}
