-- one row per province under either code system (63 gso63 units to 2025-06-30, 34 gso34 from 2025-07-01)
with provinces_63 as (

    select * from {{ ref('provinces_2008_2025') }}

),

provinces_34 as (

    select * from {{ ref('provinces_2025') }}

),

gso63_provinces as (

    select
        {{ province_key("'gso63'", 'province_code') }} as province_key,
        province_code,
        'gso63' as code_system,
        province_name,
        short_name,
        region_code,
        region_name,
        valid_from,
        valid_to,
        {{ province_key("'gso34'", 'successor_code_2025') }} as successor_province_key

    from provinces_63

),

gso34_provinces as (

    select
        {{ province_key("'gso34'", 'new_unit.province_code') }} as province_key,
        new_unit.province_code,
        'gso34' as code_system,
        new_unit.province_name,
        -- the seed has no short name for new units: reuse the host's when the name is unchanged
        case
            when new_unit.province_name = seat_host.province_name then seat_host.short_name
            else regexp_replace(new_unit.province_name, '^Thành phố ', '')
        end as short_name,
        -- a new unit takes the region of the old province hosting its seat (same code)
        seat_host.region_code,
        seat_host.region_name,
        new_unit.valid_from,
        cast(null as date) as valid_to,
        cast(null as {{ dbt.type_string() }}) as successor_province_key

    from provinces_34 as new_unit
    left join provinces_63 as seat_host
        on seat_host.province_code = new_unit.province_code

),

all_provinces as (

    select * from gso63_provinces
    union all
    select * from gso34_provinces

)

select
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(province_code as {{ dbt.type_string() }}) as province_code,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(province_name as {{ dbt.type_string() }}) as province_name,
    cast(short_name as {{ dbt.type_string() }}) as short_name,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(region_name as {{ dbt.type_string() }}) as region_name,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(valid_to is null as boolean) as is_current,
    cast(successor_province_key as {{ dbt.type_string() }}) as successor_province_key

from all_provinces
