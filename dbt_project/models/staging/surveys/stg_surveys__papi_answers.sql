-- one row per PAPI respondent and question, as delivered (blank = not asked; the codebook's missing codes and out-of-scale codes kept for the intermediate layer and the checks)
with source_answers as (

    select * from {{ source('surveys', 'papi_answers') }}

)

select
    trim(survey_id) || ':' || trim(respondent_id) as response_key,
    trim(survey_id) as survey_id,
    trim(respondent_id) as respondent_id,
    lower(trim(question_code)) as question_code,
    cast(answer as integer) as answer,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_answers
