-- every criterion of the real-time service index (Quyết định 766/QĐ-TTg and its 2025 portal
-- successor) scored per unit and month, from the configuration version valid for the month
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'criterion_code']) }}

with indicators as (

    -- provinces under both code systems and agencies; the index is monthly
    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where period_type = 'month'
        and unit_type in ('province', 'agency')
        and {{ partition_overlaps('period_start', 'period_end') }}

),

criteria as (

    select * from {{ ref('service_index_criteria') }}

),

metric_values as (

    -- each rate the configuration may name, as numerator and denominator
    {%- for metric, parts in dossier_rates().items() %}
    select
        period_start, unit_type, code_system, unit_key,
        '{{ metric }}' as rate_metric,
        cast({{ parts[0] }} as double) as numerator,
        cast({{ parts[1] }} as double) as denominator
    from indicators
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

unit_criteria as (

    -- the version in force for the month, whatever the code system
    select
        indicators.period_start,
        indicators.period_end,
        indicators.unit_type,
        indicators.code_system,
        indicators.unit_key,
        indicators.province_key,
        indicators.is_mapped_forward,
        criteria.version,
        criteria.group_code,
        criteria.group_name,
        criteria.group_points,
        criteria.criterion_code,
        criteria.criterion_name,
        criteria.points,
        criteria.threshold,
        criteria.rate_metric,
        criteria.empty_denominator_rule,
        criteria.confirmed

    from indicators
    inner join criteria
        on indicators.period_start >= criteria.valid_from
        and (criteria.valid_to is null or indicators.period_start <= criteria.valid_to)

),

scored as (

    select
        unit_criteria.*,
        metric_values.numerator,
        metric_values.denominator,
        {{ safe_divide('metric_values.numerator', 'metric_values.denominator') }} as rate

    from unit_criteria
    left join metric_values
        on metric_values.period_start = unit_criteria.period_start
        and metric_values.unit_type = unit_criteria.unit_type
        and metric_values.code_system = unit_criteria.code_system
        and metric_values.unit_key = unit_criteria.unit_key
        and metric_values.rate_metric = unit_criteria.rate_metric

),

with_points as (

    select
        *,
        rate is not null as is_applicable,
        -- full points at the threshold, proportionally below it; decimals so that sums over
        -- criteria and groups are exact whatever order they are added in
        cast(round(case
            when rate is null then null
            when rate >= threshold then points
            else rate * points / threshold
        end, 6) as decimal(12, 6)) as raw_score,
        -- what the criterion weighs in its group: its points when scored or given, nothing
        -- when its points go to the group's other criteria
        cast(case
            when rate is not null or empty_denominator_rule = 'give' then points
            else 0
        end as decimal(12, 6)) as counted_points,
        cast(round(case
            when rate is not null then
                case when rate >= threshold then points else rate * points / threshold end
            when empty_denominator_rule = 'give' then points
            else 0
        end, 6) as decimal(12, 6)) as earned_points

    from scored

),

with_group as (

    select
        *,
        sum(counted_points) over (
            partition by period_start, unit_type, code_system, unit_key, group_code
        ) as group_counted_points

    from with_points

)

select
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(unit_type as varchar) as unit_type,
    cast(code_system as varchar) as code_system,
    cast(unit_key as varchar) as unit_key,
    cast(province_key as varchar) as province_key,
    cast(is_mapped_forward as boolean) as is_mapped_forward,
    cast(version as varchar) as version,
    cast(group_code as varchar) as group_code,
    cast(group_name as varchar) as group_name,
    cast(group_points as double) as group_points,
    cast(criterion_code as varchar) as criterion_code,
    cast(criterion_name as varchar) as criterion_name,
    cast(points as double) as points,
    cast(threshold as double) as threshold,
    cast(rate_metric as varchar) as rate_metric,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(rate as double) as rate,
    cast(is_applicable as boolean) as is_applicable,
    cast(empty_denominator_rule as varchar) as empty_denominator_rule,
    cast(not is_applicable and empty_denominator_rule = 'give' as boolean) as is_points_given,
    cast(raw_score as decimal(12, 6)) as raw_score,
    -- the criterion's share of the group's points once not-applicable points are redistributed
    cast(round({{ safe_divide('counted_points * group_points', 'group_counted_points') }}, 6)
        as decimal(12, 6)) as effective_points,
    cast(round({{ safe_divide('earned_points * group_points', 'group_counted_points') }}, 6)
        as decimal(12, 6)) as score,
    cast(confirmed as boolean) as is_config_confirmed

from with_group
