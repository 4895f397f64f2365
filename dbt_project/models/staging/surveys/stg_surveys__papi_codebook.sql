-- one row per PAPI wave and variable of the contractor's codebook: label, value labels, valid range and the missing-value codes
with source_codebook as (

    select * from {{ source('surveys', 'papi_codebook') }}

)

select
    cast(survey_year as integer) as survey_year,
    lower(trim(variable)) as question_code,
    {{ clean_text('label') }} as question_label,
    {{ clean_text('value_labels') }} as value_labels,
    cast(valid_min as integer) as valid_min,
    cast(valid_max as integer) as valid_max,
    {{ clean_text('missing_values') }} as missing_values,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_codebook
