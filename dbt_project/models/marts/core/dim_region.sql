-- one row per socio-economic region, with how many provinces it holds in each code system
with provinces as (

    select * from {{ ref('dim_province') }}

),

regions as (

    select
        region_code,
        -- a region has one name; min() only collapses the repeated rows
        min(region_name) as region_name,
        sum(case when code_system = 'gso63' then 1 else 0 end) as provinces_gso63,
        sum(case when code_system = 'gso34' then 1 else 0 end) as provinces_gso34

    from provinces
    group by region_code

)

select
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(region_name as {{ dbt.type_string() }}) as region_name,
    cast(provinces_gso63 as integer) as provinces_gso63,
    cast(provinces_gso34 as integer) as provinces_gso34

from regions
