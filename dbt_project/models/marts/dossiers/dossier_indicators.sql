-- published: the dossier processing indicators (SPEC 3.1) per agency, province (both code
-- systems) and nation, per month, quarter and year. A view: it always shows the monthly
-- partitions as last materialised, whole.
{{ config(materialized='view', pre_hook=[]) }}

with indicators as (

    select * from {{ ref('fct_dossier_indicators_by_period') }}

)

select
    period_type,
    period_start,
    period_end,
    unit_type,
    code_system,
    unit_key,
    unit_name,
    province_key,
    region_code,
    agency_level,
    is_mapped_forward,
    {%- for column in dossier_count_columns() %}
    {{ column }},
    {%- endfor %}
    {%- for rate in dossier_rates() %}
    {{ rate }}{{ ',' if not loop.last }}
    {%- endfor %}


from indicators
