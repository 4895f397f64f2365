-- the crosswalk maps all 63 old provinces, each once, and every one of the 34 new provinces has at least one predecessor
{{ config(meta={'dagster': {'ref': {'name': 'dim_province_crosswalk'}}}) }}
with crosswalk as (

    select * from {{ ref('dim_province_crosswalk') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

counts as (

    select
        (select count(*) from crosswalk) as crosswalk_rows,
        (select count(distinct gso63_province_key) from crosswalk) as old_units_mapped,
        (select count(*) from provinces where code_system = 'gso63') as old_units,
        (select count(*) from provinces where code_system = 'gso34') as new_units

),

new_units_without_predecessor as (

    select provinces.province_key
    from provinces
    left join crosswalk
        on crosswalk.gso34_province_key = provinces.province_key
    where provinces.code_system = 'gso34'
        and crosswalk.gso63_province_key is null

)

select 'count' as failure, cast(crosswalk_rows as {{ dbt.type_string() }}) || ' rows, '
    || cast(old_units_mapped as {{ dbt.type_string() }}) || ' old mapped, '
    || cast(old_units as {{ dbt.type_string() }}) || ' old, ' || cast(new_units as {{ dbt.type_string() }}) || ' new' as detail
from counts
where crosswalk_rows <> 63 or old_units_mapped <> 63 or old_units <> 63 or new_units <> 34

union all

select 'no predecessor' as failure, province_key as detail
from new_units_without_predecessor
