"""The dbt project runs on DuckDB and on Spark (`make test-spark`): no DuckDB-only SQL in its
models, macros, tests, fixtures, seeds' column types or contracts. Engine-specific SQL lives in
the `duckdb__` implementations of the dispatched macros (macros/portable/), and only there.

The scan reads the files (comments left out); each forbidden construct names its portable form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foundation.settings import DBT_PROJECT_DIR

SCANNED_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
SCANNED_SUFFIXES = (".sql", ".yml", ".yaml")

# construct -> (pattern, the portable form)
FORBIDDEN: dict[str, tuple[str, str]] = {
    "select * exclude": (r"\bexclude\s*\(", "select * except (...) (DuckDB and Spark 4)"),
    "strftime": (r"\bstrftime\s*\(", "{{ date_text(expr, 'month') }} (macros/portable/dates.sql)"),
    "isodow": (r"\bisodow\b", "{{ iso_day_of_week(expr) }}"),
    "generate_series": (r"\bgenerate_series\s*\(", "{{ date_series(start, end) }}"),
    "string_split": (r"\b(string_split|str_split|string_to_array)\s*\(",
                     "{{ split_to_rows(expr, sep, alias, column) }}"),
    "unnest": (r"\bunnest\s*\(", "{{ split_to_rows(...) }} or a dispatched macro"),
    "date_diff('part', ...)": (r"(?<![\w.])date_?diff\s*\(\s*'",
                               "{{ dbt.datediff(a, b, 'second') }}"),
    "::type cast": (r"::\s*[a-z]", "cast(x as type)"),
    "varchar": (r"\bvarchar\b", "{{ dbt.type_string() }} in SQL, string in YAML types"),
    "hugeint": (r"\bu?hugeint\b|\bubigint\b", "bigint or decimal(38, 0)"),
    "hash()": (r"(?<![\w.])hash\s*\(",
               "{{ hash_uint32([...]) }}: DuckDB's hash and Spark's differ in value"),
    "list functions": (r"\b(list|array)_(value|aggregate|transform|filter|sort|extract)\s*\(",
                       "a dispatched macro"),
    "struct_pack": (r"\bstruct_pack\s*\(", "a dispatched macro"),
    "epoch()": (r"\bepoch(_ms)?\s*\(", "{{ dbt.datediff(...) }}"),
    "strptime": (r"\bstrptime\s*\(", "cast(... as date) on ISO text, or a dispatched macro"),
    "regexp_matches": (r"\bregexp_matches\s*\(", "rlike / regexp_like in a dispatched macro"),
    "division by a decimal literal": (
        r"/\s*\(?\s*\d+\.\d+(?![\d.e])",
        "a double literal (86400e0): Spark divides by 86400.0 in DECIMAL, DuckDB in DOUBLE"),
}


def _without_comments(text: str, suffix: str) -> str:
    text = re.sub(r"\{#.*?#\}", " ", text, flags=re.DOTALL)
    if suffix == ".sql":
        return re.sub(r"--[^\n]*", " ", text)
    return re.sub(r"(^|\s)#[^\n]*", r"\1", text)


def _without_duckdb_implementations(text: str) -> str:
    """The bodies of `duckdb__` macros are where DuckDB's own forms belong."""
    return re.sub(r"\{%-?\s*macro\s+duckdb__\w+.*?\{%-?\s*endmacro\s*-?%\}", " ", text,
                  flags=re.DOTALL)


def duckdb_only_constructs(text: str, suffix: str = ".sql") -> list[str]:
    """The forbidden constructs in one file's text, as 'line N: construct'."""
    cleaned = _without_duckdb_implementations(_without_comments(text, suffix))
    found = []
    for name, (pattern, _) in FORBIDDEN.items():
        for match in re.finditer(pattern, cleaned, flags=re.IGNORECASE):
            found.append(f"line {cleaned.count(chr(10), 0, match.start()) + 1}: {name}")
    return found


def project_files(root: Path = DBT_PROJECT_DIR) -> list[Path]:
    files = [root / "dbt_project.yml"]
    for folder in SCANNED_FOLDERS:
        files += [p for p in sorted((root / folder).rglob("*"))
                  if p.is_file() and p.suffix in SCANNED_SUFFIXES]
    return files


def test_the_project_has_no_duckdb_only_sql() -> None:
    findings = []
    for path in project_files():
        for found in duckdb_only_constructs(path.read_text(encoding="utf-8"), path.suffix):
            name = found.split(": ", 1)[1]
            findings.append(f"{path.relative_to(DBT_PROJECT_DIR)} {found} -> use "
                            f"{FORBIDDEN[name][1]}")
    assert findings == []


def test_the_scan_covers_models_macros_tests_and_fixtures() -> None:
    scanned = {p.relative_to(DBT_PROJECT_DIR).parts[0] for p in project_files()}
    assert {"models", "macros", "tests", "seeds", "dbt_project.yml"} <= scanned
    assert DBT_PROJECT_DIR / "tests" / "fixtures" / "dim_date_2025.sql" in project_files()


BAD_SNIPPETS = {
    "select * exclude": "select * exclude (version_rank) from ranked",
    "strftime": "select strftime(period_start, '%Y-%m') as month_label",
    "isodow": "select extract(isodow from calendar_date) as day_of_week",
    "generate_series": "select * from generate_series(date '2025-01-01', date '2025-12-31', "
                       "interval 1 day)",
    "string_split": "select unnest(string_split(codes, ' ')) as code",
    "unnest": "select unnest(codes) as code",
    "date_diff('part', ...)": "select date_diff('second', started_at, ended_at) as seconds",
    "::type cast": "select province_code::varchar as code",
    "varchar": "select cast(agency_code as VARCHAR) as agency_code",
    "hugeint": "select cast(total as hugeint) as total",
    "hash()": "select hash(response_key) % 100 as bucket",
    "list functions": "select list_value(1, 2) as pair",
    "struct_pack": "select struct_pack(a := 1) as s",
    "epoch()": "select epoch(ended_at) as seconds",
    "strptime": "select strptime(text, '%d/%m/%Y') as day",
    "regexp_matches": "select regexp_matches(code, '^T63')",
    "division by a decimal literal": "select seconds / 86400.0 as days",
}


@pytest.mark.parametrize("construct", sorted(FORBIDDEN))
def test_each_construct_is_caught_in_a_bad_snippet(construct: str) -> None:
    assert f"line 1: {construct}" in duckdb_only_constructs(BAD_SNIPPETS[construct])


@pytest.mark.parametrize("snippet", [
    "select * except (version_rank) from ranked",
    "select {{ date_text('period_start', 'month') }} as month_label",
    "select cast(agency_code as {{ dbt.type_string() }}) as agency_code",
    "select {{ dbt.datediff('started_at', 'ended_at', 'second') }} / 86400e0 as days",
    "select {{ dbt.hash('response_key') }} as digest, round(share * 100.0, 2) as pct",
    "select 'gso63:15' as province_key, 'T63.01.S001' like 'T63.%' as is_old_code",
    "-- strftime(x, '%Y') in a comment is not SQL\nselect 1",
    "{# generate_series( in a Jinja comment #} select 1",
])
def test_portable_forms_pass(snippet: str) -> None:
    assert duckdb_only_constructs(snippet) == []


def test_duckdb_forms_are_allowed_in_duckdb_implementations_only() -> None:
    macros = (
        "{% macro duckdb__iso_day_of_week(d) -%} extract(isodow from {{ d }}) {%- endmacro %}\n"
        "{% macro spark__iso_day_of_week(d) -%} extract(isodow from {{ d }}) {%- endmacro %}\n")
    assert duckdb_only_constructs(macros) == ["line 2: isodow"]


def test_yaml_types_are_scanned_and_yaml_comments_are_not() -> None:
    yml = "columns:\n  - name: code\n    data_type: varchar  # DuckDB's name\n"
    assert duckdb_only_constructs(yml, ".yml") == ["line 3: varchar"]
    assert duckdb_only_constructs("# varchar in a comment\nx: string\n", ".yml") == []
