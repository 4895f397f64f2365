"""Every relation both engines build (seeds and models: tables, incremental tables, views),
compared row for row: DuckDB's warehouse against Spark's tables, as multisets of rows.

A row matches when every column is equal; floating-point columns may instead agree to within
`RELATIVE_TOLERANCE` of their size, or `ABSOLUTE_TOLERANCE` for values near zero (the last bits
of a double depend on the order a sum was added up in and on the maths library, neither of
which SQL fixes). Each relation says how many rows are
identical, how many agree only within that tolerance (and in which columns, by how much), and
how many have no counterpart on the other engine: those are the unexplained differences."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

# far above a double's rounding noise (about 1e-16 per operation), far below any real difference
RELATIVE_TOLERANCE = 1e-9
# a difference of two equal numbers (a score minus itself, a change of 0%) leaves a residue of
# about ±1e-15 whose sign and size follow the summation order: below this it is zero
ABSOLUTE_TOLERANCE = 1e-12
APPROXIMATE_TYPES = ("FLOAT", "DOUBLE", "REAL")
EXAMPLES = 3


@dataclass(frozen=True)
class Relation:
    """A relation dbt builds: its node (model.chiso.x or seed.chiso.y), schema and name."""

    unique_id: str
    schema: str
    name: str
    materialized: str
    key: tuple[str, ...] = ()  # columns that identify a row (unique_key or a unique test)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class Comparison:
    relation: Relation
    duckdb_rows: int = 0
    spark_rows: int = 0
    identical_rows: int = 0
    tolerance_rows: int = 0  # equal once doubles are allowed RELATIVE_TOLERANCE
    differing_rows: int = 0  # rows of either engine without a counterpart on the other
    tolerance_columns: dict[str, float] = field(default_factory=dict)  # column -> max rel. diff
    differing_columns: dict[str, int] = field(default_factory=dict)  # column -> paired rows
    unmatched_rows: tuple[int, int] = (0, 0)  # rows only DuckDB has, rows only Spark has
    column_problems: list[str] = field(default_factory=list)
    type_notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """No unexplained difference: same columns, every row matched (exactly or within
        floating-point tolerance)."""
        return not self.column_problems and self.differing_rows == 0 \
            and self.duckdb_rows == self.spark_rows

    @property
    def verdict(self) -> str:
        if self.column_problems:
            return "; ".join(self.column_problems)
        if self.differing_rows:
            parts = [f"{n} in {c}" for c, n in sorted(self.differing_columns.items())]
            only_duckdb, only_spark = self.unmatched_rows
            parts += [f"{n} rows only on {engine}" for engine, n in
                      (("DuckDB", only_duckdb), ("Spark", only_spark)) if n]
            return f"{self.differing_rows} rows differ: {', '.join(parts)}"
        if self.tolerance_rows:
            columns = ", ".join(f"{c} ≤ {d:.1e}" for c, d in sorted(self.tolerance_columns.items()))
            return (f"identical but {self.tolerance_rows} rows whose doubles differ in their last "
                    f"bits (difference relative to max(|x|, 1): {columns}): floating-point "
                    "rounding")
        return "identical"


def relations_from_manifest(manifest_path: Path) -> list[Relation]:
    """Every seed and model dbt builds as a relation (ephemeral models have none), with the
    key its config or its unique tests give it."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    keys: dict[str, tuple[str, ...]] = {}
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        attached = node.get("attached_node")
        kwargs = test.get("kwargs", {})
        if test.get("name") == "unique" and attached and kwargs.get("column_name"):
            keys.setdefault(attached, (str(kwargs["column_name"]).lower(),))
        elif test.get("name") == "unique_combination_of_columns" and attached:
            columns = kwargs.get("combination_of_columns") or []
            keys.setdefault(attached, tuple(str(c).lower() for c in columns))
    relations = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        materialized = node["config"].get("materialized", "")
        if materialized == "ephemeral":
            continue
        unique_key = node["config"].get("unique_key")
        key = ((unique_key,) if isinstance(unique_key, str) else tuple(unique_key or ())) \
            or keys.get(unique_id, ())
        relations.append(Relation(unique_id, node["schema"], node.get("alias") or node["name"],
                                  materialized, key))
    return sorted(relations, key=lambda r: r.qualified_name)


def _naive_timestamps(table: pa.Table) -> pa.Table:
    """Spark hands timestamps over as UTC instants; the warehouse's are naive wall-clock times
    that the Spark session read as UTC (profiles.yml): dropping the zone gives them back."""
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            naive = pc.cast(table.column(index), pa.timestamp(column.type.unit))
            table = table.set_column(index, column.name, naive)
    return table


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sort_key(column: str) -> str:
    """A double rounded to 9 significant digits: rows that differ only by rounding noise sort
    alike on both engines."""
    q = _quote(column)
    return (f"case when {q} is null or isnan({q}) or isinf({q}) or {q} = 0 then {q} "
            f"else round({q}, 8 - cast(floor(log10(abs({q}))) as integer)) end")


def compare_tables(con: duckdb.DuckDBPyConnection, relation: Relation, duckdb_table: str,
                   spark_table: str) -> Comparison:
    """Compare two tables registered in `con` (DuckDB's rows and Spark's)."""
    result = Comparison(relation)
    types_d, types_s = (
        {r[0].lower(): (r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()}
        for table in (duckdb_table, spark_table))
    result.duckdb_rows = con.execute(f"select count(*) from {duckdb_table}").fetchall()[0][0]
    result.spark_rows = con.execute(f"select count(*) from {spark_table}").fetchall()[0][0]
    missing = sorted(set(types_d) - set(types_s))
    extra = sorted(set(types_s) - set(types_d))
    if missing:
        result.column_problems.append(f"columns missing on Spark: {', '.join(missing)}")
    if extra:
        result.column_problems.append(f"columns only on Spark: {', '.join(extra)}")
    columns = [c for c in types_d if c in types_s]
    for c in columns:
        if types_d[c][1] != types_s[c][1]:
            result.type_notes.append(f"{c}: duckdb {types_d[c][1]}, spark {types_s[c][1]}")
    approximate = [c for c in columns if any(
        types[c][1].startswith(APPROXIMATE_TYPES) for types in (types_d, types_s))]
    exact = [c for c in columns if c not in approximate]

    def select(table: str, side: dict[str, tuple[str, str]]) -> str:
        items = [f"{_quote(side[c][0])} as {_quote(c)}" for c in columns]
        return f"select {', '.join(items) or '1 as no_column'} from {table}"

    con.execute(f"create or replace temp view _d as {select(duckdb_table, types_d)}")
    con.execute(f"create or replace temp view _s as {select(spark_table, types_s)}")
    only_d = con.execute("select count(*) from (select * from _d except all select * from _s)"
                         ).fetchall()[0][0]
    if only_d == 0 and result.duckdb_rows == result.spark_rows:
        result.identical_rows = result.duckdb_rows
        return result
    # pair the rows: on the relation's key (its unique test) where it has one, else on all its
    # exact columns; rows sharing those are paired in the order of their (rounded) other values
    key = [c for c in relation.key if c in exact] or exact
    partition = ", ".join(_quote(c) for c in key) or "1"
    order = ", ".join([_quote(c) for c in exact if c not in key]
                      + [_sort_key(c) for c in approximate]) or "1"
    for side in ("_d", "_s"):
        con.execute(f"create or replace temp table {side}n as select *, row_number() over "
                    f"(partition by {partition} order by {order}) as _pair from {side}")
    on = " and ".join([f"d.{_quote(c)} is not distinct from s.{_quote(c)}" for c in key]
                      + ["d._pair = s._pair"])
    compared = [c for c in columns if c not in key]
    equal = {c: f"d.{_quote(c)} is not distinct from s.{_quote(c)}" for c in compared}
    close = {c: (f"({equal[c]} or abs(d.{_quote(c)} - s.{_quote(c)}) <= greatest("
                 f"{RELATIVE_TOLERANCE} * greatest(abs(d.{_quote(c)}), abs(s.{_quote(c)})), "
                 f"{ABSOLUTE_TOLERANCE}))")
             for c in compared if c in approximate}
    agrees = [close.get(c, equal[c]) for c in compared]
    con.execute(
        "create or replace temp table _pairs as select "
        + ", ".join([f"d.{_quote(c)}" for c in key] + ["d._pair"]
                    + [f"({e}) as _eq_{i}" for i, e in enumerate(equal.values())]
                    + [f"({a}) as _ok_{i}" for i, a in enumerate(agrees)]
                    + ["(" + (" and ".join(equal.values()) or "true") + ") as _identical",
                       "(" + (" and ".join(agrees) or "true") + ") as _agrees"])
        + f" from _dn as d inner join _sn as s on {on}")
    matched, identical, tolerated = con.execute(
        "select count(*), count(*) filter (where _identical), "
        "count(*) filter (where _agrees and not _identical) from _pairs").fetchall()[0]
    result.identical_rows, result.tolerance_rows = identical, tolerated
    unmatched = result.duckdb_rows - matched + result.spark_rows - matched
    result.differing_rows = matched - identical - tolerated + unmatched
    if tolerated:
        relative = ", ".join(
            f"max(case when d.{q} is distinct from s.{q} then abs(d.{q} - s.{q}) "
            f"/ greatest(abs(d.{q}), abs(s.{q}), 1) end)"
            for q in (_quote(c) for c in close))
        maxima = con.execute(
            f"select {relative} from _dn as d inner join _sn as s on {on} "
            f"where ({' and '.join(agrees)})").fetchall()[0]
        result.tolerance_columns = {c: d for c, d in zip(close, maxima, strict=True)
                                    if d is not None}
    if result.differing_rows:
        counts = con.execute("select " + ", ".join(
            f"count(*) filter (where not _ok_{i})" for i in range(len(compared)))
            + " from _pairs").fetchall()[0] if compared else ()
        result.differing_columns = {c: n for c, n in zip(compared, counts, strict=True) if n}
        result.unmatched_rows = (result.duckdb_rows - matched, result.spark_rows - matched)
        _add_examples(con, result, key, compared, on, agrees)
    return result


def _add_examples(con: duckdb.DuckDBPyConnection, result: Comparison, key: list[str],
                  compared: list[str], on: str, agrees: list[str]) -> None:
    """A few differing rows: the key and each column whose values differ, and rows one engine
    has and the other has not."""
    if compared:
        keys = ", ".join(f"d.{_quote(c)}" for c in key) or "1"
        values = ", ".join(f"d.{_quote(c)}, s.{_quote(c)}" for c in compared)
        cursor = con.execute(
            f"select {keys}, {', '.join(f'({a})' for a in agrees)}, {values} "
            f"from _dn as d inner join _sn as s on {on} "
            f"where not ({' and '.join(agrees)}) limit {EXAMPLES}")
        for row in cursor.fetchall():
            ok = row[len(key):len(key) + len(compared)]
            pairs = row[len(key) + len(compared):]
            shown = [f"{c}: duckdb {pairs[2 * i]!r}, spark {pairs[2 * i + 1]!r}"
                     for i, c in enumerate(compared) if not ok[i]]
            where = ", ".join(f"{c}={v!r}" for c, v in zip(key, row[:len(key)], strict=False))
            result.examples.append(f"at {where}: " + "; ".join(shown))
    for engine, mine, theirs in (("duckdb", "_dn", "_sn"), ("spark", "_sn", "_dn")):
        alone = " and ".join(f"m.{_quote(c)} is not distinct from t.{_quote(c)}"
                             for c in [*key, "_pair"])
        cursor = con.execute(f"select * exclude (_pair) from {mine} as m where not exists "
                             f"(select 1 from {theirs} as t where {alone}) limit {EXAMPLES}")
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, row, strict=True))
            result.examples.append(f"only on {engine}: {shown}")


def compare_relations(warehouse: Path, relations: Iterable[Relation],
                      spark_rows: Callable[[Relation], pa.Table | None],
                      progress: Callable[[Comparison], None] | None = None) -> list[Comparison]:
    """Compare each relation of the DuckDB warehouse with Spark's rows of it
    (`spark_rows(relation)`, None when Spark has no such relation)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        existing = {(s, n) for s, n in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'warehouse' "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = 'warehouse'").fetchall()}
        results = []
        for relation in relations:
            spark_table = spark_rows(relation)
            if (relation.schema, relation.name) not in existing or spark_table is None:
                comparison = Comparison(relation)
                engines = [e for e, absent in (("DuckDB", (relation.schema, relation.name)
                                                not in existing), ("Spark", spark_table is None))
                           if absent]
                comparison.column_problems.append(f"not built on {' and '.join(engines)}")
            else:
                con.register("_spark_arrow", _naive_timestamps(spark_table))
                comparison = compare_tables(
                    con, relation,
                    f"warehouse.{_quote(relation.schema)}.{_quote(relation.name)}", "_spark_arrow")
                con.unregister("_spark_arrow")
            results.append(comparison)
            if progress is not None:
                progress(comparison)
        return results
    finally:
        con.close()


def spark_reader(session: object) -> Callable[[Relation], pa.Table | None]:
    """Rows of a relation from the Spark session dbt-spark used (None if it has no such one)."""

    def read(relation: Relation) -> pa.Table | None:
        catalog = session.catalog  # type: ignore[attr-defined]
        if not catalog.tableExists(relation.qualified_name):
            return None
        return session.table(relation.qualified_name).toArrow()  # type: ignore[attr-defined]

    return read
