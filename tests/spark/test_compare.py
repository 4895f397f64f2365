"""The engine comparison itself (chiso/spark/compare.py), on hand-made tables: no Spark needed,
so these run in the default suite. Each verdict has a case where it is given and one where not."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from chiso.spark.compare import (
    Comparison,
    Relation,
    compare_relations,
    relations_from_manifest,
)

KEYED = Relation("model.chiso.facts", "marts", "facts", "table", ("unit_key",))
UNKEYED = Relation("model.chiso.facts", "marts", "facts", "table")
ROWS = [("A", 1, 0.1 + 0.2, True), ("B", 2, 1 / 3, False), ("C", 3, None, True)]


def _warehouse(tmp_path: Path, rows: list[tuple]) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.facts (unit_key varchar, dossiers bigint, share double, "
                "is_flagged boolean)")
    con.executemany("insert into marts.facts values (?, ?, ?, ?)", rows)
    con.close()
    return path


def _spark(rows: list[tuple]) -> pa.Table:
    """Rows as Spark hands them over: int32 where DuckDB has bigint (Spark's row_number)."""
    columns = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return pa.table({"unit_key": pa.array(columns[0], pa.string()),
                     "dossiers": pa.array(columns[1], pa.int32()),
                     "share": pa.array(columns[2], pa.float64()),
                     "is_flagged": pa.array(columns[3], pa.bool_())})


def _compare(tmp_path: Path, duckdb_rows: list[tuple], spark: pa.Table | None,
             relation: Relation = KEYED) -> Comparison:
    warehouse = _warehouse(tmp_path, duckdb_rows)
    [result] = compare_relations(warehouse, [relation], lambda _: spark)
    return result


@pytest.mark.parametrize("relation", [KEYED, UNKEYED])
def test_the_same_rows_in_another_order_and_integer_width_are_identical(
        tmp_path: Path, relation: Relation) -> None:
    result = _compare(tmp_path, ROWS, _spark(list(reversed(ROWS))), relation)
    assert result.agrees and result.verdict == "identical"
    assert (result.identical_rows, result.differing_rows) == (3, 0)
    assert result.type_notes == ["dossiers: duckdb BIGINT, spark INTEGER"]


@pytest.mark.parametrize("relation", [KEYED, UNKEYED])
def test_doubles_that_differ_in_their_last_bits_agree_and_say_so(
        tmp_path: Path, relation: Relation) -> None:
    # 0.1 + 0.2 summed the other way round: 0.30000000000000004 against 0.3
    spark = [("A", 1, 0.3, True), ("B", 2, 1 / 3, False), ("C", 3, None, True)]
    result = _compare(tmp_path, ROWS, _spark(spark), relation)
    assert result.agrees
    assert (result.identical_rows, result.tolerance_rows, result.differing_rows) == (2, 1, 0)
    assert set(result.tolerance_columns) == {"share"}
    assert 1e-17 < result.tolerance_columns["share"] < 1e-15
    assert "floating-point rounding" in result.verdict


def test_the_residue_of_a_difference_of_equal_numbers_is_rounding_and_a_real_one_is_not(
        tmp_path: Path) -> None:
    # a score minus itself: 1.8e-15 on one engine, 0 on the other
    duckdb_rows = [("A", 1, 1.7763568394002505e-15, True), ("B", 2, 0.0, False)]
    spark = [("A", 1, 0.0, True), ("B", 2, 1e-9, False)]
    result = _compare(tmp_path, duckdb_rows, _spark(spark))
    assert (result.tolerance_rows, result.differing_rows) == (1, 1)
    assert result.differing_columns == {"share": 1}
    assert result.examples == ["at unit_key='B': share: duckdb 0.0, spark 1e-09"]


def test_a_double_beyond_rounding_noise_is_a_difference(tmp_path: Path) -> None:
    spark = [("A", 1, 0.300001, True), *ROWS[1:]]
    result = _compare(tmp_path, ROWS, _spark(spark))
    assert not result.agrees
    assert result.differing_columns == {"share": 1}
    assert result.examples == ["at unit_key='A': share: duckdb 0.30000000000000004, "
                               "spark 0.300001"]


def test_a_flipped_flag_in_a_keyed_table_names_its_row_and_column(tmp_path: Path) -> None:
    spark = [ROWS[0], ("B", 2, 1 / 3, True), ROWS[2]]
    result = _compare(tmp_path, ROWS, _spark(spark))
    assert not result.agrees
    assert (result.identical_rows, result.differing_rows) == (2, 1)
    assert result.verdict == "1 rows differ: 1 in is_flagged"
    assert result.examples == ["at unit_key='B': is_flagged: duckdb False, spark True"]


def test_rows_one_engine_lacks_are_counted_on_their_side(tmp_path: Path) -> None:
    spark = [*ROWS, ("D", 4, 0.5, False)]
    result = _compare(tmp_path, ROWS[:2], _spark(spark))
    assert not result.agrees
    assert result.unmatched_rows == (0, 2)
    assert result.verdict == "2 rows differ: 2 rows only on Spark"


def test_a_missing_column_or_relation_is_a_problem_not_a_pass(tmp_path: Path) -> None:
    spark = _spark(ROWS).drop_columns(["is_flagged"])
    result = _compare(tmp_path, ROWS, spark)
    assert not result.agrees
    assert result.column_problems == ["columns missing on Spark: is_flagged"]
    (tmp_path / "again").mkdir()
    missing = _compare(tmp_path / "again", ROWS, None)
    assert not missing.agrees and missing.column_problems == ["not built on Spark"]


def test_spark_timestamps_in_utc_read_as_the_warehouse_wall_clock(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema staging")
    con.execute("create table staging.events (event_id varchar, event_at timestamp)")
    con.execute("insert into staging.events values ('E1', timestamp '2025-03-01 08:30:00')")
    con.close()
    relation = Relation("model.chiso.events", "staging", "events", "view", ("event_id",))
    spark = pa.table({"event_id": ["E1"], "event_at": pa.array(
        [dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)], pa.timestamp("us", tz="UTC"))})
    [result] = compare_relations(path, [relation], lambda _: spark)
    assert result.verdict == "identical"


def test_relation_keys_come_from_the_unique_key_or_the_unique_tests(tmp_path: Path) -> None:
    manifest = {"nodes": {
        "model.chiso.fct": {"resource_type": "model", "schema": "marts", "name": "fct",
                            "alias": "fct", "config": {"materialized": "incremental",
                                                       "unique_key": ["period_start", "unit_key"]}},
        "model.chiso.dim": {"resource_type": "model", "schema": "marts", "name": "dim",
                            "alias": "dim", "config": {"materialized": "table"}},
        "model.chiso.eph": {"resource_type": "model", "schema": "x", "name": "eph",
                            "alias": "eph", "config": {"materialized": "ephemeral"}},
        "seed.chiso.bands": {"resource_type": "seed", "schema": "seeds", "name": "bands",
                             "alias": "bands", "config": {"materialized": "seed"}},
        "test.chiso.unique_dim_code": {
            "resource_type": "test", "attached_node": "model.chiso.dim", "config": {},
            "test_metadata": {"name": "unique", "kwargs": {"column_name": "Code"}}},
    }}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    relations = {r.unique_id: r for r in relations_from_manifest(path)}
    assert set(relations) == {"model.chiso.fct", "model.chiso.dim", "seed.chiso.bands"}
    assert relations["model.chiso.fct"].key == ("period_start", "unit_key")
    assert relations["model.chiso.dim"].key == ("code",)
    assert relations["seed.chiso.bands"].key == ()
