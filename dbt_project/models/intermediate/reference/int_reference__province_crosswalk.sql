-- one row per gso63 province: the gso34 province it merged into on 2025-07-01
with provinces_63 as (

    select * from {{ ref('provinces_2008_2025') }}

),

provinces_34 as (

    select * from {{ ref('provinces_2025') }}

),

crosswalk as (

    select
        {{ province_key("'gso63'", 'old_unit.province_code') }} as gso63_province_key,
        {{ province_key("'gso34'", 'old_unit.successor_code_2025') }} as gso34_province_key,
        old_unit.province_code as gso63_province_code,
        old_unit.province_name as gso63_province_name,
        old_unit.successor_code_2025 as gso34_province_code,
        new_unit.province_name as gso34_province_name,
        -- the new unit keeps the code of the old province that hosts its seat
        old_unit.province_code = old_unit.successor_code_2025 as is_seat_host,
        count(*) over (partition by old_unit.successor_code_2025) as predecessors_of_successor

    from provinces_63 as old_unit
    left join provinces_34 as new_unit
        on new_unit.province_code = old_unit.successor_code_2025

)

select
    cast(gso63_province_key as {{ dbt.type_string() }}) as gso63_province_key,
    cast(gso34_province_key as {{ dbt.type_string() }}) as gso34_province_key,
    cast(gso63_province_code as {{ dbt.type_string() }}) as gso63_province_code,
    cast(gso63_province_name as {{ dbt.type_string() }}) as gso63_province_name,
    cast(gso34_province_code as {{ dbt.type_string() }}) as gso34_province_code,
    cast(gso34_province_name as {{ dbt.type_string() }}) as gso34_province_name,
    cast(is_seat_host as boolean) as is_seat_host,
    cast(predecessors_of_successor as integer) as predecessors_of_successor,
    date '{{ var("merger_date") }}' as effective_from

from crosswalk
