-- one row per province, block, first year and criterion of a province's internal index
with source_criteria as (

    select * from {{ source('par_index', 'internal_methodology') }}

),

renamed as (

    select
        {{ clean_province_code('province_code') }} as province_code,
        lower(trim(block)) as block,
        cast(valid_from_year as integer) as valid_from_year,
        {{ clean_text('field_code') }} as field_code,
        {{ clean_text('field_name') }} as field_name,
        trim(criterion_code) as criterion_code,
        {{ clean_text('criterion_name') }} as criterion_name,
        max_points,
        {{ clean_text('source') }} as criterion_source,
        {{ clean_text('note') }} as note,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_criteria

),

with_province_key as (

    select
        *,
        {{ year_code_system('valid_from_year') }} as code_system

    from renamed

)

select
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    block,
    valid_from_year,
    field_code,
    field_name,
    criterion_code,
    criterion_name,
    max_points,
    criterion_source,
    note,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
