-- the real-time service index per unit and month, as chiso scores its own log: points per group,
-- total out of 100, rank among the units of the same kind and code system, and band
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key']) }}

with criteria as (

    select * from {{ ref('fct_service_index_criteria_monthly') }}
    where count_source = 'log'
        and {{ partition_overlaps('period_start', 'period_end') }}

),

indicators as (

    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where period_type = 'month'
        and {{ partition_overlaps('period_start', 'period_end') }}

),

bands as (

    select * from {{ ref('service_index_bands') }}

),

groups as (

    select
        period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, version, total_formula, group_code,
        min(group_points) as group_points,
        -- a formula over several rates whose parts may add up to more is capped at the group
        case when min(group_formula) = 'sum_capped' then least(min(group_points), sum(score))
            else sum(score) end as group_score,
        -- a group none of whose criteria could be scored or given drops out of a rescaled total
        bool_or(is_applicable or is_points_given) as is_group_applicable,
        -- in a plain-sum total, the points of criteria the log does not count at all
        coalesce(sum(cap) filter (where score is null and total_formula = 'sum'), 0) as unmeasured_points

    from criteria
    group by period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, version, total_formula, group_code

),

units as (

    select
        period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, version, total_formula,
        sum(group_score) filter (where group_code = 'CK') as publicity_points,
        sum(group_score) filter (where group_code = 'TD') as progress_points,
        sum(group_score) filter (where group_code = 'SH') as digitisation_points,
        sum(group_score) filter (where group_code = 'DV') as online_services_points,
        sum(group_score) filter (where group_code = 'HL') as satisfaction_points,
        sum(group_score) filter (where group_code = 'TT') as online_payment_points,
        sum(group_score) filter (where is_group_applicable) as scored_points,
        sum(group_points) filter (where is_group_applicable) as applicable_points,
        coalesce(sum(group_score), 0) as summed_points,
        sum(group_points) as max_points,
        sum(unmeasured_points) as unmeasured_points,
        count(*) filter (where not is_group_applicable) as groups_not_applicable

    from groups
    group by period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, version, total_formula

),

totals as (

    select
        *,
        -- out of 100. `rescale` (766-2022): a group that cannot be scored at all is left out and
        -- the rest rescaled; `sum` (portal-2025): the plain sum, nothing dropped or rescaled
        cast(round(case when total_formula = 'sum' then summed_points
            else {{ safe_divide('scored_points * max_points', 'applicable_points') }} end, 6)
            as decimal(12, 6)) as total_score

    from units

),

ranked as (

    select
        totals.*,
        round(totals.total_score, 2) as total_score_rounded,
        -- provinces against the provinces of the same code system, agencies against the
        -- agencies of their province; equal scores at the published precision share a rank
        -- (units without a total are ranked apart, then blanked, so that no engine's null
        -- ordering puts them ahead)
        {%- set scope = ['totals.period_start', 'totals.unit_type', 'totals.code_system',
                         "case when totals.unit_type = 'agency' then totals.province_key end"] %}
        -- the one ranking of every index (macros/ranking.sql): at the published precision,
        -- ties share the best rank, a unit without a total neither ranked nor counted
        {{ competition_rank('totals.total_score', partition_by=scope) }} as rank_in_scope,
        {{ ranked_count('totals.total_score', partition_by=scope) }} as units_ranked

    from totals

),

banded as (

    select
        ranked.*,
        bands.band_code,
        bands.band_name,
        row_number() over (
            partition by ranked.period_start, ranked.unit_type, ranked.code_system, ranked.unit_key
            order by bands.min_score desc
        ) as band_rank

    from ranked
    left join bands
        on bands.version = ranked.version
        and ranked.total_score_rounded >= bands.min_score

)

select
    cast(banded.period_start as date) as period_start,
    cast(banded.period_end as date) as period_end,
    cast(banded.unit_type as {{ dbt.type_string() }}) as unit_type,
    cast(banded.code_system as {{ dbt.type_string() }}) as code_system,
    cast(banded.unit_key as {{ dbt.type_string() }}) as unit_key,
    cast(indicators.unit_name as {{ dbt.type_string() }}) as unit_name,
    cast(banded.province_key as {{ dbt.type_string() }}) as province_key,
    cast(indicators.region_code as {{ dbt.type_string() }}) as region_code,
    cast(banded.is_mapped_forward as boolean) as is_mapped_forward,
    cast(banded.version as {{ dbt.type_string() }}) as version,
    cast(banded.publicity_points as decimal(12, 6)) as publicity_points,
    cast(banded.progress_points as decimal(12, 6)) as progress_points,
    cast(banded.digitisation_points as decimal(12, 6)) as digitisation_points,
    cast(banded.online_services_points as decimal(12, 6)) as online_services_points,
    cast(banded.satisfaction_points as decimal(12, 6)) as satisfaction_points,
    cast(banded.online_payment_points as decimal(12, 6)) as online_payment_points,
    cast(banded.groups_not_applicable as integer) as groups_not_applicable,
    cast(banded.unmeasured_points as double) as unmeasured_points,
    cast(banded.total_score as decimal(12, 6)) as total_score,
    cast(banded.total_score_rounded as decimal(5, 2)) as total_score_rounded,
    cast(case when banded.unit_type = 'agency' then 'province' else 'national' end as {{ dbt.type_string() }})
        as rank_scope,
    cast(banded.rank_in_scope as integer) as rank,
    cast(banded.units_ranked as integer) as units_ranked,
    cast(banded.band_code as {{ dbt.type_string() }}) as band_code,
    cast(banded.band_name as {{ dbt.type_string() }}) as band_name

from banded
left join indicators
    on indicators.period_start = banded.period_start
    and indicators.unit_type = banded.unit_type
    and indicators.code_system = banded.code_system
    and indicators.unit_key = banded.unit_key
where banded.band_rank = 1
