-- one row per officials' survey year and question: the PAR INDEX field it feeds, scale and weight
with source_questions as (

    select * from {{ source('surveys', 'officials_questionnaire') }}

)

select
    cast(survey_year as integer) as survey_year,
    trim(question_code) as question_code,
    trim(par_field_code) as par_field_code,
    {{ clean_text('par_field_name') }} as par_field_name,
    {{ clean_text('question_text') }} as question_text,
    cast(scale_min as integer) as scale_min,
    cast(scale_max as integer) as scale_max,
    weight,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_questions
