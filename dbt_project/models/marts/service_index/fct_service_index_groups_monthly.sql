-- every group of the real-time service index scored per unit, month and source of its counts:
-- the one place a group's score is derived from its criteria (the index totals the `log` rows,
-- the reconciliation compares both sources)
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'count_source', 'group_code']) }}

with criteria as (

    select * from {{ ref('fct_service_index_criteria_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

groups as (

    select
        period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, count_source, version, total_formula, group_code,
        min(group_name) as group_name,
        min(portal_group_code) as portal_group_code,
        min(group_points) as group_points,
        min(group_formula) as group_formula,
        -- a formula over several rates whose parts may add up to more is capped at the group
        case when min(group_formula) = 'sum_capped' then least(min(group_points), sum(score))
            else sum(score) end as group_score,
        -- a group none of whose criteria could be scored or given drops out of a rescaled total
        bool_or(is_applicable or is_points_given) as is_group_applicable,
        -- every criterion of the group is counted by the source
        bool_and(is_measured) as is_group_measured,
        -- in a plain-sum total, the points of criteria the source does not count at all
        coalesce(sum(cap) filter (where score is null and total_formula = 'sum'), 0)
            as unmeasured_points

    from criteria
    group by period_start, period_end, unit_type, code_system, unit_key, province_key,
        is_mapped_forward, count_source, version, total_formula, group_code

)

select
    {{ unit_month_columns() }},
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(is_mapped_forward as boolean) as is_mapped_forward,
    cast(count_source as {{ dbt.type_string() }}) as count_source,
    cast(version as {{ dbt.type_string() }}) as version,
    cast(total_formula as {{ dbt.type_string() }}) as total_formula,
    cast(group_code as {{ dbt.type_string() }}) as group_code,
    cast(group_name as {{ dbt.type_string() }}) as group_name,
    cast(portal_group_code as {{ dbt.type_string() }}) as portal_group_code,
    cast(group_points as double) as group_points,
    cast(group_formula as {{ dbt.type_string() }}) as group_formula,
    cast(round(group_score, 6) as decimal(12, 6)) as group_score,
    cast(is_group_applicable as boolean) as is_group_applicable,
    cast(is_group_measured as boolean) as is_group_measured,
    cast(unmeasured_points as double) as unmeasured_points

from groups
