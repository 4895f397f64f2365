-- one row per year, province and scored criterion of the PAR INDEX, with the year's province key
with source_scores as (

    select * from {{ source('par_index', 'scores') }}

),

renamed as (

    select
        cast(year as integer) as year,
        {{ clean_province_code('province_code') }} as province_code,
        trim(criterion_code) as criterion_code,
        max_points,
        self_assessed_points,
        appraised_points,
        {{ clean_text('evidence_ref') }} as evidence_ref,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_scores

),

with_province_key as (

    select
        *,
        {{ year_code_system('year') }} as code_system

    from renamed

)

select
    year,
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    criterion_code,
    -- the field is the first part of field.criterion.sub-criterion
    split_part(criterion_code, '.', 1) as field_code,
    max_points,
    self_assessed_points,
    appraised_points,
    evidence_ref,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
