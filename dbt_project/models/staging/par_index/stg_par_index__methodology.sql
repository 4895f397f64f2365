-- one row per methodology version and scored criterion, with its maximum points
with source_criteria as (

    select * from {{ source('par_index', 'methodology') }}

)

select
    trim(methodology_version) as methodology_version,
    cast(valid_from_year as integer) as valid_from_year,
    cast(valid_to_year as integer) as valid_to_year,
    trim(field_code) as field_code,
    {{ clean_text('field_name') }} as field_name,
    trim(criterion_code) as criterion_code,
    {{ clean_text('parent_code') }} as parent_code,
    {{ clean_text('parent_name') }} as parent_name,
    {{ clean_text('criterion_name') }} as criterion_name,
    max_points,
    -- tham_dinh: appraised by the council; dieu_tra_xhh: from the sociological surveys
    {{ clean_text('source') }} as criterion_source,
    {{ clean_text('note') }} as note,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_criteria
