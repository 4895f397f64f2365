-- every criterion of the real-time service index (Quyết định 766/QĐ-TTg and the national portal's
-- 2025 scoring) scored per unit, month and source of its counts, by the configuration version
-- valid for the month: the same rules whether the counts come from chiso's log or the portal
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'count_source', 'criterion_code']) }}

with counts as (

    select * from {{ ref('fct_service_index_counts_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

criteria as (

    select * from {{ ref('service_index_criteria') }}

),

rated as (

    select
        counts.period_start,
        counts.period_end,
        counts.unit_type,
        counts.code_system,
        counts.unit_key,
        counts.province_key,
        counts.is_mapped_forward,
        counts.count_source,
        criteria.version,
        criteria.total_formula,
        criteria.group_code,
        criteria.group_name,
        criteria.group_points,
        criteria.group_formula,
        criteria.criterion_code,
        criteria.criterion_name,
        criteria.portal_group_code,
        criteria.portal_metric_code,
        criteria.points,
        criteria.threshold,
        criteria.cap,
        criteria.rate_metric,
        criteria.empty_denominator_rule,
        criteria.confirmed,
        counts.numerator,
        counts.denominator,
        counts.is_measured,
        {{ safe_divide('counts.numerator', 'counts.denominator') }} as rate

    from counts
    inner join criteria
        on criteria.version = counts.version
        and criteria.criterion_code = counts.criterion_code

),

with_points as (

    select
        *,
        rate is not null as is_applicable,
        -- least(cap, points × rate ÷ threshold): full points at the threshold, proportionally
        -- below it, never above the cap; decimals so that sums are exact in any order
        cast(round(case
            when rate is not null then least(cap, points * rate / threshold)
        end, 6) as decimal(12, 6)) as raw_score,
        -- points given without a rate: `give` whether or not anything was counted
        rate is null and empty_denominator_rule = 'give' as is_points_given,
        -- what the criterion weighs in its group before redistribution: its cap when scored
        -- or given; under `redistribute` nothing when it cannot be scored
        cast(case
            when rate is not null or empty_denominator_rule in ('give', 'zero', 'full') then cap
            else 0
        end as decimal(12, 6)) as counted_points

    from rated

),

with_earned as (

    select
        *,
        cast(round(case
            when rate is not null then raw_score
            when empty_denominator_rule = 'give' then cap
            -- an empty denominator scores by its rule; a criterion the source does not count
            -- at all is not scored (never silently 0 or full)
            when not is_measured and empty_denominator_rule in ('zero', 'full') then null
            when empty_denominator_rule = 'full' then cap
            else 0
        end, 6) as decimal(12, 6)) as earned_points

    from with_points

),

with_group as (

    select
        *,
        sum(counted_points) over (
            partition by period_start, unit_type, code_system, unit_key, count_source, group_code
        ) as group_counted_points

    from with_earned

),

scored as (

    select
        *,
        -- `redistribute`: the criterion's share of the group's points once not-applicable
        -- points are redistributed; otherwise its cap and what it earned, as they are
        case when group_formula = 'redistribute'
            then {{ safe_divide('counted_points * group_points', 'group_counted_points') }}
            else cap
        end as effective_points,
        case when group_formula = 'redistribute'
            then {{ safe_divide('earned_points * group_points', 'group_counted_points') }}
            else earned_points
        end as score

    from with_group

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
    cast(group_points as double) as group_points,
    cast(group_formula as {{ dbt.type_string() }}) as group_formula,
    cast(criterion_code as {{ dbt.type_string() }}) as criterion_code,
    cast(criterion_name as {{ dbt.type_string() }}) as criterion_name,
    cast(portal_group_code as {{ dbt.type_string() }}) as portal_group_code,
    cast(portal_metric_code as {{ dbt.type_string() }}) as portal_metric_code,
    cast(points as double) as points,
    cast(threshold as double) as threshold,
    cast(cap as double) as cap,
    cast(rate_metric as {{ dbt.type_string() }}) as rate_metric,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(rate as double) as rate,
    cast(is_measured as boolean) as is_measured,
    cast(is_applicable as boolean) as is_applicable,
    cast(empty_denominator_rule as {{ dbt.type_string() }}) as empty_denominator_rule,
    cast(is_points_given as boolean) as is_points_given,
    cast(raw_score as decimal(12, 6)) as raw_score,
    cast(round(effective_points, 6) as decimal(12, 6)) as effective_points,
    cast(round(score, 6) as decimal(12, 6)) as score,
    cast(confirmed as boolean) as is_config_confirmed

from scored
