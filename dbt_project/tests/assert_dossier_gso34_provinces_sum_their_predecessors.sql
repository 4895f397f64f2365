-- a gso34 province before the merger is the sum of the gso63 provinces that merged into it
-- (counts summed, so its rates are recomputed, never averaged)
{{ config(meta={'dagster': {'ref': {'name': 'fct_dossier_indicators_by_period'}}}) }}
{%- set counts = dossier_count_columns() %}

with indicators as (

    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where unit_type = 'province'
        and period_end <= date '{{ var("merger_date") }}'

),

crosswalk as (

    select * from {{ ref('dim_province_crosswalk') }}

),

predecessors_summed as (

    select
        indicators.period_type,
        indicators.period_start,
        crosswalk.gso34_province_key,
        {%- for column in counts %}
        sum(indicators.{{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from indicators
    inner join crosswalk
        on crosswalk.gso63_province_key = indicators.unit_key
    where indicators.code_system = 'gso63'
    group by indicators.period_type, indicators.period_start, crosswalk.gso34_province_key

),

successors as (

    select * from indicators
    where code_system = 'gso34'

)

select
    coalesce(successors.period_start, predecessors_summed.period_start) as period_start,
    coalesce(successors.unit_key, predecessors_summed.gso34_province_key) as gso34_province_key

from successors
full outer join predecessors_summed
    on predecessors_summed.period_type = successors.period_type
    and predecessors_summed.period_start = successors.period_start
    and predecessors_summed.gso34_province_key = successors.unit_key
where successors.unit_key is null
    or predecessors_summed.gso34_province_key is null
    or not successors.is_mapped_forward
    {%- for column in counts %}
    or successors.{{ column }} <> predecessors_summed.{{ column }}
    {%- endfor %}
