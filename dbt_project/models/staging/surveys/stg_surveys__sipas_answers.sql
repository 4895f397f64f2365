-- one row per SIPAS respondent and question, as answered (out-of-scale codes kept for the checks)
with source_answers as (

    select * from {{ source('surveys', 'sipas_answers') }}

)

select
    trim(survey_id) || ':' || trim(respondent_id) as response_key,
    trim(survey_id) as survey_id,
    trim(respondent_id) as respondent_id,
    trim(question_code) as question_code,
    cast(answer as integer) as answer,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_answers
