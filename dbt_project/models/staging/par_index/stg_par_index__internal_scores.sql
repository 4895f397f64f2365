-- one row per year, province, block, unit and criterion of a province's internal index
with source_scores as (

    select * from {{ source('par_index', 'internal_scores') }}

),

renamed as (

    select
        cast(year as integer) as year,
        {{ clean_province_code('province_code') }} as province_code,
        lower(trim(block)) as block,
        trim(unit_code) as unit_code,
        {{ clean_text('unit_name') }} as unit_name,
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
    block,
    unit_code,
    unit_name,
    criterion_code,
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
