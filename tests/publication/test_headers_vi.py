"""Every column people read in the published spreadsheets and the dashboard has a Vietnamese
header (`publication/column_labels_vi.csv`), one per column name, distinct within a table:
without one a header fell back to the first sentence of the column's English description."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb

from publication import descriptions
from publication.descriptions import column_labels, header_vi
from quality.decisions import write_decisions


def _decision_columns(tmp_path: Path) -> list[str]:
    """The steward decisions table as the quality gate writes it (the publication copies it)."""
    con = duckdb.connect(str(tmp_path / "decisions.duckdb"))
    try:
        write_decisions(con, [], "run")
        return [row[0] for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'quality' order by ordinal_position").fetchall()]
    finally:
        con.close()


def test_every_published_column_has_a_vietnamese_header(tmp_path: Path) -> None:
    docs = descriptions.published_docs()  # the project's manifest, as `make setup` built it
    assert len(docs) >= 10
    tables = {name: list(doc.columns) for name, doc in docs.items()}
    tables["_publication_decisions"] = _decision_columns(tmp_path)
    missing = sorted(f"{t}.{c}" for t, columns in tables.items() for c in columns
                     if c not in column_labels())
    assert missing == []
    # a spreadsheet's headers tell its columns apart
    for table, columns in tables.items():
        headers = [header_vi(c, None) for c in columns]
        assert len(set(headers)) == len(headers), table
    # no label for a column nobody publishes (renamed or dropped since)
    published = {c for columns in tables.values() for c in columns}
    assert sorted(set(column_labels()) - published) == []


def test_the_headers_are_vietnamese_as_people_type_it() -> None:
    for column, label in column_labels().items():
        assert label == label.strip() and label, column
        assert unicodedata.is_normalized("NFC", label), column
        assert not label.isascii() or label.isupper(), (column, label)  # words with diacritics


def test_a_label_in_the_models_meta_wins_and_an_unknown_column_keeps_its_description() -> None:
    doc = descriptions.ColumnDoc
    assert header_vi("rank", doc("Competition rank.", "Hạng")) == "Hạng"
    assert header_vi("rank", doc("Competition rank.")) == "Thứ hạng"
    assert header_vi("RANK", None) == "Thứ hạng"
    assert header_vi("not_a_published_column", doc("Day after. The period is [start, end).")) \
        == "Day after"
    assert header_vi("not_a_published_column", None) == "not_a_published_column"
