-- the (numerator, denominator) of every service index criterion per unit and month, from each
-- source that counts it: chiso's own log (`log`: the dossier rates of macro dossier_rates(), the
-- procedure rates of macro procedure_rates() and the petitions answered in the month) and the
-- national portal's evaluation export (`portal`). The scoring step scores both alike.
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

petitions as (

    select * from {{ ref('int_petitions__judged') }}

),

procedure_counts as (

    select * from {{ ref('fct_service_index_procedure_counts_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

agency_units as (

    -- the units an agency's petitions count in, from the agency reference (an agency may
    -- answer petitions without handling a dossier)
    select * from {{ ref('int_reference__agency_reporting_units') }}

),

petitions_loaded as (

    -- without any petition loaded chiso does not measure them (never "none, so full marks")
    select count(*) > 0 as has_petitions from petitions

),

petition_agency_months as (

    -- petitions answered (handled or refused) in the month, by the agency that answered
    select
        cast(date_trunc('month', handled_at) as date) as period_start,
        agency_code,
        count(*) filter (where is_answered_on_time) as answered_on_time,
        count(*) as answered,
        count(*) filter (where is_satisfied) as satisfied,
        count(*) filter (where is_rated) as rated

    from petitions
    where is_answered
    group by cast(date_trunc('month', handled_at) as date), agency_code

),

petition_unit_months as (

    -- each agency's petitions in every unit it reports to, as its dossiers are
    select
        months.period_start,
        units.unit_type,
        units.code_system,
        units.unit_key,
        sum(months.answered_on_time) as answered_on_time,
        sum(months.answered) as answered,
        sum(months.satisfied) as satisfied,
        sum(months.rated) as rated

    from petition_agency_months as months
    inner join agency_units as units
        on units.agency_code = months.agency_code
    where not units.is_gso63_series or months.period_start < date '{{ var("merger_date") }}'
    group by months.period_start, units.unit_type, units.code_system, units.unit_key

),

petition_counts as (

    -- every unit and month of the index with the petitions it answered (none loaded at all:
    -- not measured, never "none, so full marks")
    select
        indicators.period_start, indicators.unit_type, indicators.code_system, indicators.unit_key,
        {%- for count in ['answered_on_time', 'answered', 'satisfied', 'rated'] %}
        case when loaded.has_petitions then coalesce(months.{{ count }}, 0) end as {{ count }}
            {{- ',' if not loop.last }}
        {%- endfor %}

    from indicators
    cross join petitions_loaded as loaded
    left join petition_unit_months as months
        on {{ same_unit_month('months', 'indicators') }}

),

petition_rates as (

    {{ rate_rows(petition_rates(), 'petition_counts') }}

),

dossier_rates as (

    -- each rate the configuration may name, as numerator and denominator
    {{ rate_rows(dossier_rates(), 'indicators') }}

),

procedure_rates as (

    -- the rates about procedures (announcements, population database, online payment B and C)
    {{ rate_rows(procedure_rates(), 'procedure_counts') }}

),

log_rates as (

    select * from dossier_rates
    union all
    select * from petition_rates
    union all
    select * from procedure_rates

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
        on {{ same_unit_month('log_rates', 'indicators') }}
        and log_rates.rate_metric = criteria.rate_metric

),

portal_units as (

    -- every unit the portal evaluated in the month (a group score row carries no counts)
    select
        period_start,
        period_end,
        unit_type,
        code_system,
        unit_key,
        max(province_key) as province_key

    from portal_metrics
    where metric_code not in ('ONLINE_SERVICE', 'PAYMENT')
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

    from portal_units as units
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
    {{ unit_month_columns() }},
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
