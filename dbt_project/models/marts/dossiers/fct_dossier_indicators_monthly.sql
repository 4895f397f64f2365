-- the processing statistics per unit and period: agencies, provinces under both code systems
-- (gso34 with the old provinces mapped forward) and the nation, with every rate recomputed
-- from summed counts
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['period_type', 'period_start', 'unit_type', 'code_system', 'unit_key'],
    on_schema_change='fail',
    tags=['monthly'],
    pre_hook="{{ delete_partition_periods() }}"
) }}

{%- set measures = dossier_count_columns() + dossier_sum_columns() %}

with agency_periods as (

    select * from {{ ref('fct_dossier_processing_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

units as (

    {{ unit_rollup('agency_periods', measures) }}

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
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(unit_type as varchar) as unit_type,
    cast(code_system as varchar) as code_system,
    cast(unit_key as varchar) as unit_key,
    cast(unit_name as varchar) as unit_name,
    cast(province_key as varchar) as province_key,
    cast(region_code as varchar) as region_code,
    cast(agency_level as varchar) as agency_level,
    cast(is_mapped_forward as boolean) as is_mapped_forward,
    {%- for column in dossier_count_columns() %}
    cast({{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(processed_legal_time_used_share_sum as decimal(18, 6)) as processed_legal_time_used_share_sum,
    {{ dossier_indicator_rates() }}

from named
