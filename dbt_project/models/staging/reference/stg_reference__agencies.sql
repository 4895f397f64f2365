-- one row per agency (department, district or commune people's committee), with province key
with source_agencies as (

    select * from {{ source('reference', 'agencies') }}

),

renamed as (

    select
        trim(agency_code) as agency_code,
        trim(agency_name) as agency_name,
        lower(trim(level)) as level,
        {{ clean_province_code('province_code') }} as province_code,
        lower(trim(code_system)) as code_system,
        valid_from,
        valid_to,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_agencies

)

select
    agency_code,
    agency_name,
    level,
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    {{ agency_code_system('agency_code') }} as agency_code_system,
    valid_from,
    valid_to,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from renamed
