-- the processing statistics per unit and period: agencies, provinces under both code systems
-- (gso34 with the old provinces mapped forward) and the nation, with every rate recomputed
-- from summed counts
{{ config(unique_key=['period_type', 'period_start', 'unit_type', 'code_system', 'unit_key']) }}

{%- set measures = dossier_count_columns() + dossier_sum_columns() %}

with agency_periods as (

    select * from {{ ref('fct_dossier_processing_by_period') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

reporting_units as (

    select * from {{ ref('int_dossier__reporting_units') }}

),

units as (

    -- each agency's counts in every unit it reports to (the map is joined once)
    select
        agency_periods.period_type,
        agency_periods.period_start,
        agency_periods.period_end,
        reporting_units.unit_type,
        reporting_units.code_system,
        reporting_units.unit_key,
        reporting_units.province_key,
        reporting_units.is_mapped_forward_before_merger
            and agency_periods.period_start < date '{{ var("merger_date") }}' as is_mapped_forward,
        {%- for measure in measures %}
        sum(agency_periods.{{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}

    from agency_periods
    inner join reporting_units
        on reporting_units.agency_code = agency_periods.agency_code
    where not reporting_units.is_gso63_series
        or agency_periods.period_end <= date '{{ var("merger_date") }}'
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

named as (

    select
        units.*,
        case units.unit_type
            when 'agency' then coalesce(agencies.agency_name, units.unit_key)
            when 'province' then provinces.province_name
            else 'Toàn quốc'
        end as unit_name,
        agencies.level as agency_level,
        provinces.region_code

    from units
    left join agencies
        on units.unit_type = 'agency'
        and agencies.agency_key = units.unit_key
    left join provinces
        on provinces.province_key = units.province_key

)

select
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(unit_type as {{ dbt.type_string() }}) as unit_type,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(unit_key as {{ dbt.type_string() }}) as unit_key,
    cast(unit_name as {{ dbt.type_string() }}) as unit_name,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(agency_level as {{ dbt.type_string() }}) as agency_level,
    cast(is_mapped_forward as boolean) as is_mapped_forward,
    {%- for column in dossier_count_columns() %}
    cast({{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(processed_legal_time_used_share_sum as decimal(18, 6)) as processed_legal_time_used_share_sum,
    {{ dossier_indicator_rates() }}

from named
