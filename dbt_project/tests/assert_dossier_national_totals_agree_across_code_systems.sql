-- before the merger the nation is the same under both code systems: every count of the national
-- gso63 row equals the gso34 row (old provinces mapped forward) for every period ending by 2025-06-30
{%- set counts = dossier_count_columns() %}

with national as (

    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where unit_type = 'national'
        and period_end <= date '{{ var("merger_date") }}'

),

gso63 as (

    select * from national where code_system = 'gso63'

),

gso34 as (

    select * from national where code_system = 'gso34'

)

select
    coalesce(gso63.period_type, gso34.period_type) as period_type,
    coalesce(gso63.period_start, gso34.period_start) as period_start,
    gso63.received_count as gso63_received,
    gso34.received_count as gso34_received

from gso63
full outer join gso34
    on gso34.period_type = gso63.period_type
    and gso34.period_start = gso63.period_start
where gso63.period_start is null
    or gso34.period_start is null
    {%- for column in counts %}
    or gso63.{{ column }} <> gso34.{{ column }}
    {%- endfor %}
