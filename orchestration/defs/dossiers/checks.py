"""The warehouse's consistency checks against the bad-row threshold: a run fails when, among the
dossiers it brought, a unit's share set aside by the consistency checks
(intermediate.int_dossier__consistency_flags: events in an impossible order, ...) passes the
threshold of ingestion/plausibility.toml, the same one a file's or a unit's quarantined rows
answer to. A handful of such dossiers never stops a run: they are left out of the lifecycle
and listed with their reason. The check blocks the monthly marts, the quality gate and the
publication, and says which unit and why.
"""


import datetime as dt

import dagster as dg
import duckdb

from ingestion.plausibility import Rules, rules
from ingestion.thresholds import TOP_REASONS, UnitOverThreshold
from orchestration.lib.resources import WarehouseResource

LIFECYCLE = dg.AssetKey(["intermediate", "int_dossier__lifecycle"])
VN = dt.timezone(dt.timedelta(hours=7))

# per agency and province: the dossiers of the run that were kept and those set aside
UNITS_SQL = """
with kept as (
    select dossier_id, agency_code, province_key
    from intermediate.int_dossier__lifecycle
    where last_loaded_at >= ?
),
set_aside as (
    select dossier_id, min(agency_code) as agency_code, min(province_key) as province_key
    from intermediate.int_dossier__consistency_flags
    where last_loaded_at >= ?
    group by dossier_id
),
dossiers as (
    select agency_code, province_key, false as is_set_aside from kept
    union all
    select agency_code, province_key, true from set_aside
),
by_unit as (
    select 'agency' as unit_type, agency_code as unit_key, count(*) as dossiers,
        count(*) filter (where is_set_aside) as set_aside
    from dossiers where agency_code is not null group by agency_code
    union all
    select 'province', province_key, count(*), count(*) filter (where is_set_aside)
    from dossiers where province_key is not null group by province_key
)
select unit_type, unit_key, dossiers, set_aside from by_unit
where dossiers >= ? and set_aside > ? * dossiers
order by unit_type, unit_key
"""


def dossiers_over_threshold(con: duckdb.DuckDBPyConnection, since: dt.datetime,
                            config: Rules | None = None) -> list[UnitOverThreshold]:
    """Units whose dossiers loaded since `since` (a run's) were too often set aside."""
    config = config or rules()
    over = con.execute(UNITS_SQL, [since, since, config.min_rows, config.max_share]).fetchall()
    found = []
    for unit_type, unit_key, dossiers, set_aside in over:
        column = "agency_code" if unit_type == "agency" else "province_key"
        reasons = con.execute(
            f"select reason, count(distinct dossier_id) as n "
            f"from intermediate.int_dossier__consistency_flags "
            f"where last_loaded_at >= ? and {column} = ? group by reason "
            f"order by n desc, reason limit ?", [since, unit_key, TOP_REASONS]).fetchall()
        found.append(UnitOverThreshold(unit_type, unit_key, int(dossiers), int(set_aside),
                                       set_aside / dossiers, config.max_share,
                                       tuple((r, int(n)) for r, n in reasons),
                                       bad_rows="dossiers set aside"))
    return found


def run_started(context: dg.AssetCheckExecutionContext) -> dt.datetime:
    """When this run started, as the warehouse writes times (naive, Asia/Ho_Chi_Minh)."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record and record.start_time else None
    moment = (dt.datetime.fromtimestamp(started, VN) if started is not None
              else dt.datetime.now(VN) - dt.timedelta(days=1))
    return moment.replace(tzinfo=None)


@dg.asset_check(asset=LIFECYCLE, name="units_within_bad_share", blocking=True,
                description="Among the dossiers this run brought, no agency or province has "
                            "more set aside by the consistency checks than the bad-row "
                            "threshold (ingestion/plausibility.toml [bad_share]); else the run "
                            "fails, saying which unit and why.")
def units_within_bad_share(context: dg.AssetCheckExecutionContext,
                           warehouse: WarehouseResource) -> dg.AssetCheckResult:
    since = run_started(context)
    with warehouse.connect() as con:
        over = dossiers_over_threshold(con, since)
        set_aside = con.execute(
            "select count(distinct dossier_id) from intermediate.int_dossier__consistency_flags "
            "where last_loaded_at >= ?", [since]).fetchone()[0]
    if over:
        raise dg.Failure(
            description="units whose share of dossiers set aside by the consistency checks "
                        "passes the configured threshold (int_dossier__consistency_flags): "
                        + "; ".join(u.why for u in over),
            metadata={"over_threshold": [u.why for u in over]})
    return dg.AssetCheckResult(passed=True, metadata={
        "dossiers_set_aside_this_run": int(set_aside), "since": str(since)})
