-- one row per SIPAS survey year and question: its element, aspect, scale and weight
with source_questions as (

    select * from {{ source('surveys', 'sipas_questionnaire') }}

)

select
    cast(survey_year as integer) as survey_year,
    trim(question_code) as question_code,
    trim(element_code) as element_code,
    {{ clean_text('element_name') }} as element_name,
    lower({{ clean_text('aspect') }}) as aspect,
    {{ clean_text('question_text') }} as question_text,
    cast(scale_min as integer) as scale_min,
    cast(scale_max as integer) as scale_max,
    weight,
    {{ clean_text('index_rule') }} as index_rule,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_questions
