-- the (numerator, denominator) of every service index criterion per unit and month, from each
-- source that counts it: chiso's own dossier log (`log`, the rates of macro dossier_rates()) and
-- the national portal's evaluation export (`portal`). The scoring step scores both alike.
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'count_source', 'criterion_code']) }}

with indicators as (

    -- provinces under both code systems and agencies; the index is monthly
    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where period_type = 'month'
        and unit_type in ('province', 'agency')
        and {{ partition_overlaps('period_start', 'period_end') }}

),

portal_metrics as (

    select * from {{ ref('stg_portal_evaluation__metrics') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

criteria as (

    select * from {{ ref('service_index_criteria') }}

),

log_rates as (

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

log_counts as (

    -- every criterion of the version in force for the month; a criterion no rate of the log
    -- measures has no counts from it
    select
        indicators.period_start,
        indicators.period_end,
        indicators.unit_type,
        indicators.code_system,
        indicators.unit_key,
        indicators.province_key,
        indicators.is_mapped_forward,
        'log' as count_source,
        criteria.version,
        criteria.criterion_code,
        log_rates.numerator,
        log_rates.denominator

    from indicators
    inner join criteria
        on indicators.period_start >= criteria.valid_from
        and (criteria.valid_to is null or indicators.period_start <= criteria.valid_to)
    left join log_rates
        on log_rates.period_start = indicators.period_start
        and log_rates.unit_type = indicators.unit_type
        and log_rates.code_system = indicators.code_system
        and log_rates.unit_key = indicators.unit_key
        and log_rates.rate_metric = criteria.rate_metric

),

portal_units as (

    select distinct
        period_start,
        period_end,
        unit_type,
        code_system,
        unit_key,
        -- an agency's province is its parent in the portal's tree
        case when unit_type = 'province' then unit_key
            else {{ province_key('code_system', clean_province_code('parent_code')) }}
        end as province_key

    from portal_metrics
    -- a group score row carries no counts of its own
    where metric_code not in ('ONLINE_SERVICE', 'PAYMENT')

),

portal_units_single_province as (

    select
        period_start, period_end, unit_type, code_system, unit_key,
        max(province_key) as province_key
    from portal_units
    group by period_start, period_end, unit_type, code_system, unit_key

),

portal_counts as (

    select
        units.period_start,
        units.period_end,
        units.unit_type,
        units.code_system,
        units.unit_key,
        units.province_key,
        false as is_mapped_forward,
        'portal' as count_source,
        criteria.version,
        criteria.criterion_code,
        portal_metrics.numerator,
        portal_metrics.denominator

    from portal_units_single_province as units
    inner join criteria
        on units.period_start >= criteria.valid_from
        and (criteria.valid_to is null or units.period_start <= criteria.valid_to)
    left join portal_metrics
        on portal_metrics.period_start = units.period_start
        and portal_metrics.unit_type = units.unit_type
        and portal_metrics.unit_key = units.unit_key
        and portal_metrics.metric_code = criteria.portal_metric_code

),

counts as (

    select * from log_counts
    union all
    select * from portal_counts

)

select
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(unit_type as {{ dbt.type_string() }}) as unit_type,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(unit_key as {{ dbt.type_string() }}) as unit_key,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(is_mapped_forward as boolean) as is_mapped_forward,
    cast(count_source as {{ dbt.type_string() }}) as count_source,
    cast(version as {{ dbt.type_string() }}) as version,
    cast(criterion_code as {{ dbt.type_string() }}) as criterion_code,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    -- counted: the source gives the criterion a denominator (zero included)
    cast(denominator is not null as boolean) as is_measured

from counts
