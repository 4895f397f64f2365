"""A small warehouse with a `published` schema, and the dbt manifest that documents it.

The real published models arrive with later issues; these tables have today's mart columns that
the dashboard reads, plus `publication_status`, `quality_flags` and `built_by_run`, the run that
wrote the rows, so a reader can tell whether one read saw a single publication whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from foundation.reference import provinces_gso34, provinces_gso63

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "service_index_monthly": {
        "period_start": "First day of the period.",
        "unit_type": "agency or province.",
        "code_system": "gso63 or gso34.",
        "unit_key": "Unit key.",
        "unit_name": "Unit name.",
        "total_score_rounded": "Total score rounded to two decimals.",
        "rank_scope": "national or province.",
        "rank": "Competition rank.",
        "units_ranked": "Units ranked (the M of rank N of M).",
        "band_code": "Band of the total.",
        "publication_status": "published or provisional.",
        "quality_flags": "Quality flags raised on this unit and period.",
        "built_by_run": "Run that built this row.",
    },
    "dossier_indicators": {
        "period_type": "month, quarter or year.",
        "period_start": "First day of the period.",
        "unit_type": "agency, province or national.",
        "code_system": "gso63 or gso34.",
        "unit_key": "Unit key.",
        "unit_name": "Unit name.",
        "on_time_rate": "Share of dossiers resolved on time.",
        "online_share": "Share of dossiers submitted online.",
        "publication_status": "published or provisional.",
        "quality_flags": "Quality flags raised on this unit and period.",
        "built_by_run": "Run that built this row.",
    },
    "withheld_units": {
        "unit_name": "Unit withheld.",
        "period_start": "Period withheld.",
        "reason": "Why it was withheld.",
        "built_by_run": "Run that built this row.",
    },
}
LABELS_VI = {("service_index_monthly", "rank"): "Thứ hạng",
             ("service_index_monthly", "unit_name"): "Tỉnh, thành phố"}


def write_manifest(path: Path, *, drop: tuple[str, str] | None = None) -> Path:
    """A manifest shaped like dbt's: published nodes plus one mart that must be ignored."""
    nodes = {}
    for table, columns in COLUMN_DOCS.items():
        nodes[f"model.chiso.{table}_published"] = {
            "resource_type": "model", "name": table, "alias": table, "schema": "published",
            "description": f"Published {table.replace('_', ' ')}.",
            "columns": {
                c: {"name": c, "description": "" if drop == (table, c) else d,
                    "meta": {"label_vi": LABELS_VI[(table, c)]} if (table, c) in LABELS_VI
                    else {}, "config": {"meta": {}}}
                for c, d in columns.items()},
        }
    nodes["model.chiso.service_index_monthly"] = {
        "resource_type": "model", "name": "service_index_monthly", "schema": "marts",
        "description": "", "columns": {"x": {"name": "x", "description": ""}}}
    path.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return path


def build_published_schema(con: duckdb.DuckDBPyConnection, run_id: str, *,
                           months: int = 3, agency_rows: int = 0) -> None:
    """(Re)build the published tables as dbt would, every row stamped with `run_id`."""
    con.execute("create schema if not exists published")
    con.execute("create schema if not exists raw")
    provinces = [(p.code, p.name, "gso63") for p in provinces_gso63()] + [
        (p.code, p.name, "gso34") for p in provinces_gso34()]
    con.execute("create or replace temp table provinces (code varchar, name varchar, "
                "code_system varchar)")
    con.executemany("insert into provinces values (?, ?, ?)", provinces)
    # scores vary with the month so ranks change between periods
    con.execute(f"""
        create or replace table published.service_index_monthly as
        with months as (
            select cast(make_date(2025, m, 1) as date) as period_start
            from range(1, {months} + 1) as t(m)
        ), scored as (
            select months.period_start, 'province' as unit_type, p.code_system,
                   p.code_system || ':' || p.code as unit_key, p.name as unit_name,
                   round(70 + ((cast(p.code as integer) * 7 + month(months.period_start) * 13)
                               % 29), 2) as total_score_rounded
            from months cross join provinces as p
        )
        select *, 'national' as rank_scope,
               cast(rank() over (partition by period_start, code_system
                                 order by total_score_rounded desc) as integer) as rank,
               cast(count(*) over (partition by period_start, code_system) as integer)
                   as units_ranked,
               case when total_score_rounded >= 90 then 'A' when total_score_rounded >= 80
                    then 'B' when total_score_rounded >= 70 then 'C' else 'D' end as band_code,
               'published' as publication_status, cast([] as varchar[]) as quality_flags,
               '{run_id}' as built_by_run
        from scored
    """)
    con.execute(f"""
        create or replace table published.dossier_indicators as
        with months as (
            select cast(make_date(2025, m, 1) as date) as period_start
            from range(1, {months} + 1) as t(m)
        ), units as (
            select 'province' as unit_type, code_system, code_system || ':' || code as unit_key,
                   name as unit_name, cast(code as integer) as n from provinces
            union all select 'national', 'gso63', 'VN', 'Toàn quốc', 0
            union all select 'national', 'gso34', 'VN', 'Toàn quốc', 1
            union all select 'agency', 'gso34', 'A' || cast(i as varchar), 'Sở ' || cast(i as
                   varchar), i from range({agency_rows}) as t(i)
        )
        select 'month' as period_type, months.period_start, units.unit_type, units.code_system,
               units.unit_key, units.unit_name,
               0.80 + ((units.n * 3 + month(months.period_start) * 5) % 19) / 100.0
                   as on_time_rate,
               0.40 + (units.n % 7) / 20.0 as online_share,
               'published' as publication_status, cast([] as varchar[]) as quality_flags,
               '{run_id}' as built_by_run
        from months cross join units
    """)
    con.execute(f"""
        create or replace table published.withheld_units as
        select 'Đắk Nông' as unit_name, date '2025-02-01' as period_start,
               'tỷ lệ đúng hạn 100% bất thường (anomaly)' as reason, '{run_id}' as built_by_run
    """)
    con.execute("create table if not exists raw.load_manifest (source_file varchar, "
                "file_sha256 varchar, family varchar, status varchar, rows_new bigint, "
                "loaded_at timestamp)")
    con.execute("insert into raw.load_manifest values (?, ?, 'dossier_records', 'loaded', 10, "
                "current_localtimestamp())", [f"dossiers/{run_id}.csv", run_id])


def published_tables() -> list[str]:
    return sorted(COLUMN_DOCS)
