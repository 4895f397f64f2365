-- one row per agency (department, district or commune people's committee) under its code system
with agencies as (

    select * from {{ ref('stg_reference__agencies') }}

)

select
    cast(agency_code as {{ dbt.type_string() }}) as agency_key,
    cast(agency_code as {{ dbt.type_string() }}) as agency_code,
    cast(agency_name as {{ dbt.type_string() }}) as agency_name,
    cast(level as {{ dbt.type_string() }}) as level,
    cast(province_code as {{ dbt.type_string() }}) as province_code,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(valid_to is null as boolean) as is_current

from agencies
