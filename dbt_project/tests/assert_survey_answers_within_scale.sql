-- every survey answer is a question of that year's questionnaire and within its scale (warns: a consistency flag, not a blocker)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_survey__answers'}}}) }}

with sipas_answers as (

    select
        'sipas' as survey,
        answers.response_key,
        answers.question_code,
        answers.answer,
        responses.survey_year
    from {{ ref('stg_surveys__sipas_answers') }} as answers
    inner join {{ ref('stg_surveys__sipas_responses') }} as responses
        on responses.response_key = answers.response_key

),

officials_answers as (

    select
        'officials' as survey,
        answers.response_key,
        answers.question_code,
        answers.answer,
        responses.survey_year
    from {{ ref('stg_surveys__officials_answers') }} as answers
    inner join {{ ref('stg_surveys__officials_responses') }} as responses
        on responses.response_key = answers.response_key

),

papi_answers as (

    -- the codebook's missing codes (98, 99) are already null here: not answered, not wrong
    select 'papi' as survey, response_key, question_code, answer, survey_year
    from {{ ref('int_survey__answers') }}
    where survey_code = 'papi'

),

questions as (

    select 'sipas' as survey, survey_year, question_code, scale_min, scale_max
    from {{ ref('stg_surveys__sipas_questionnaire') }}
    union all
    select 'officials' as survey, survey_year, question_code, scale_min, scale_max
    from {{ ref('stg_surveys__officials_questionnaire') }}
    union all
    select 'papi' as survey, survey_year, question_code, scale_min, scale_max
    from {{ ref('int_survey__questionnaires') }}
    where survey_code = 'papi'

),

all_answers as (

    select * from sipas_answers
    union all
    select * from officials_answers
    union all
    select * from papi_answers

)

select
    all_answers.*,
    questions.scale_min,
    questions.scale_max,
    case when questions.question_code is null then 'question not in questionnaire'
        else 'answer out of scale' end as failure
from all_answers
left join questions
    on questions.survey = all_answers.survey
    and questions.survey_year = all_answers.survey_year
    and questions.question_code = all_answers.question_code
where questions.question_code is null
    or (all_answers.answer is not null
        and all_answers.answer not between questions.scale_min and questions.scale_max)
