"""The published file: a whole copy of the `published` schema, documented, checked, swapped in;
and every way a publication can fail leaves the previous one byte-identical."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from publication import build, descriptions, exports
from publication.descriptions import MissingDescriptionError, header_vi
from tests.publication.conftest import Home, at, sha256
from tests.publication.warehouse import COLUMN_DOCS, published_tables, write_manifest


def test_publication_copies_documents_and_records_the_run(home: Home) -> None:
    result = home.publish("run-aaaa1111", now=at("2025-03-04T06:00:12"))

    assert result.name == "2025-03-04T06-00-12_runaaaa1"
    assert home.published.exists() and not Path(f"{home.published}.wal").exists()
    assert home.leftovers() == []
    with duckdb.connect(str(home.published), read_only=True) as con:
        tables = {r[0] for r in con.execute("show tables").fetchall()}
        assert tables == {*published_tables(), "_publication", "_publication_inputs"}
        for table in published_tables():
            ours = con.execute(f"select count(*) from {table}").fetchone()[0]
            theirs = home.con.execute(f"select count(*) from published.{table}").fetchone()[0]
            assert ours == theirs == result.tables[table]
        # every published column carries its dbt description as a DuckDB comment
        comments = dict(((t, c), d) for t, c, d in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and not internal "
            "and not starts_with(table_name, '_')").fetchall())
        expected = {(t, c): d for t, cols in COLUMN_DOCS.items() for c, d in cols.items()}
        assert comments == expected
        table_comment = con.execute("select comment from duckdb_tables() "
                                    "where table_name = 'withheld_units'").fetchone()[0]
        assert table_comment == "Published withheld units."
        run_id, published_at, version, name = con.execute(
            "select run_id, published_at, code_version, name from _publication").fetchone()
        assert (run_id, name) == ("run-aaaa1111", "2025-03-04T06-00-12_runaaaa1")
        assert str(published_at) == "2025-03-04 06:00:12"  # Vietnam wall clock
        assert version.startswith("0.1.0")
        assert con.execute("select source_file from _publication_inputs").fetchall() == [
            ("dossiers/run-aaaa1111.csv",)]
        assert con.execute("select comment from duckdb_columns() where table_name = "
                           "'_publication_inputs' and column_name = 'file_sha256'"
                           ).fetchone()[0] == "SHA-256 of the file's bytes."
    # the history holds the same bytes (a hard link of the file swapped in)
    assert sha256(result.history_file) == sha256(home.published)


def test_steward_decisions_are_published_when_the_gate_recorded_them(home: Home) -> None:
    home.con.execute("create schema quality")
    home.con.execute("create table quality.steward_decisions as select 'Đắk Nông' as unit_name, "
                     "'withhold' as decision, 'tỷ lệ đúng hạn bất thường' as reason")
    home.publish("run-aaaa1111")
    with duckdb.connect(str(home.published), read_only=True) as con:
        assert con.execute("select * from _publication_decisions").fetchall() == [
            ("Đắk Nông", "withhold", "tỷ lệ đúng hạn bất thường")]


def test_the_file_is_written_in_the_storage_format_older_duckdb_reads(home: Home) -> None:
    home.publish("run-aaaa1111")
    header = home.published.read_bytes()[:20]
    # after the 8-byte checksum: the magic, then the storage version number; 64 is what DuckDB
    # 1.0 to 1.5 read (2.0 writes 69, which the duckdb-cli 1.5 on PyPI refuses)
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64


def _unchanged_after(home: Home, failing_run: str) -> None:
    """The previous publication, the history and its index are exactly as they were."""
    assert sha256(home.published) == home.before_sha  # type: ignore[attr-defined]
    assert home.leftovers() == []
    assert sorted(p.name for p in home.publications.iterdir()) == home.before_files  # type: ignore[attr-defined]
    assert failing_run not in (home.publications / "index.json").read_text()


@pytest.fixture
def published_once(home: Home) -> Home:
    home.publish("run-aaaa1111", now=at("2025-03-04T06:00:12"))
    home.before_sha = sha256(home.published)  # type: ignore[attr-defined]
    home.before_files = sorted(p.name for p in home.publications.iterdir())  # type: ignore[attr-defined]
    return home


def test_a_check_that_fires_keeps_the_previous_file(published_once: Home,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    home = published_once
    write = build._write_new_file

    def lossy_copy(con, warehouse, tmp, *args, **kwargs):  # a copy that lost a row
        counts = write(con, warehouse, tmp, *args, **kwargs)
        with duckdb.connect(str(tmp)) as broken:
            broken.execute("delete from withheld_units")
        return counts

    monkeypatch.setattr(build, "_write_new_file", lossy_copy)
    with pytest.raises(build.PublicationCheckError,
                       match="withheld_units has 0 rows, the warehouse 1"):
        home.publish("run-bbbb2222", now=at("2025-03-05T06:00:00"))
    _unchanged_after(home, "run-bbbb2222")


def test_a_good_publication_passes_its_check(published_once: Home) -> None:
    # the same check as above, on an intact copy: it does not fire
    result = published_once.publish("run-bbbb2222", now=at("2025-03-05T06:00:00"))
    assert sha256(published_once.published) != published_once.before_sha  # type: ignore[attr-defined]
    assert result.seconds["check"] >= 0


def test_a_failure_midway_keeps_the_previous_file(published_once: Home,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    home = published_once

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "write_xlsx", disk_full)
    with pytest.raises(OSError, match="No space left"):
        home.publish("run-bbbb2222", now=at("2025-03-05T06:00:00"))
    _unchanged_after(home, "run-bbbb2222")


def test_what_a_killed_publication_left_is_removed_by_the_next(published_once: Home) -> None:
    home = published_once
    stale_file = home.root / ".published.2025-03-05T06-00-00_runkille.tmp"
    stale_wal = home.root / ".published.2025-03-05T06-00-00_runkille.tmp.wal"
    stale_exports = home.publications / ".2025-03-05T06-00-00_runkille.tmp"
    (stale_exports / "parquet").mkdir(parents=True)
    stale_file.write_bytes(b"half a file")
    stale_wal.write_bytes(b"log")
    home.publish("run-bbbb2222", now=at("2025-03-06T06:00:00"))
    assert home.leftovers() == []
    assert len(list(home.publications.glob("*.duckdb"))) == 2  # the real ones stay


def test_a_missing_description_stops_the_publication_and_names_the_column(
        published_once: Home) -> None:
    home = published_once
    write_manifest(home.manifest, drop=("service_index_monthly", "quality_flags"))
    with pytest.raises(MissingDescriptionError,
                       match=r"without a description .*: service_index_monthly\.quality_flags$"):
        home.publish("run-bbbb2222", now=at("2025-03-05T06:00:00"))
    _unchanged_after(home, "run-bbbb2222")


def test_a_published_table_absent_from_the_manifest_is_named(published_once: Home) -> None:
    home = published_once
    home.con.execute("create table published.new_table as select 1 as x")
    with pytest.raises(MissingDescriptionError, match=r": new_table, new_table\.x$"):
        descriptions.require_descriptions(
            {t: [c for c, _ in cols] for t, cols in
             build.published_columns(home.con, "warehouse").items()},
            descriptions.published_docs(home.manifest))


def test_every_column_of_the_published_schema_has_a_description(home: Home) -> None:
    # the check itself, on the fake manifest; the real project's own published models are
    # checked the same way by test_dbt_published_models_are_documented below
    from tests.publication.warehouse import build_published_schema
    build_published_schema(home.con, "run-x")
    tables = {t: [c for c, _ in cols] for t, cols in
              build.published_columns(home.con, "warehouse").items()}
    descriptions.require_descriptions(tables, descriptions.published_docs(home.manifest))


def test_dbt_published_models_are_documented() -> None:
    """Every column of every model in schema `published` of the real manifest (`make setup`
    writes it) has a description; a model that declares no columns is named too."""
    docs = descriptions.published_docs()
    undocumented = [f"{t}.{c}" for t, doc in docs.items()
                    for c, col in doc.columns.items() if not col.description]
    undocumented += [t for t, doc in docs.items() if not doc.description or not doc.columns]
    assert undocumented == []


def test_descriptions_come_only_from_published_nodes(home: Home) -> None:
    docs = descriptions.published_docs(home.manifest)
    assert sorted(docs) == published_tables()  # the `marts` node of the same name is ignored
    assert docs["service_index_monthly"].columns["rank"].label_vi == "Thứ hạng"


def test_spreadsheet_headers_prefer_the_vietnamese_label() -> None:
    doc = descriptions.ColumnDoc
    assert header_vi("rank", doc("Competition rank.", "Thứ hạng")) == "Thứ hạng"
    # no label anywhere (not a published column): the description's first sentence, without
    # its full stop
    assert header_vi("end_day", doc("Day after the period's last day. The period is "
                                    "[start, end).")) == "Day after the period's last day"
    assert header_vi("x", None) == "x"


def test_an_empty_published_schema_is_refused(home: Home) -> None:
    home.con.execute("create schema published")
    with pytest.raises(build.PublicationCheckError, match="no `published` tables"):
        build.publish(home.con, "run-a", published=home.published,
                      publications=home.publications, manifest=home.manifest)
    assert not home.published.exists()
