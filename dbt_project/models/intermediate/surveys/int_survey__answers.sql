-- one row per answer of every survey the engine scores, with its survey and year
with sipas_answers as (

    select 'sipas' as survey_code, response_key, question_code, answer
    from {{ ref('stg_surveys__sipas_answers') }}

),

officials_answers as (

    select 'officials' as survey_code, response_key, question_code, answer
    from {{ ref('stg_surveys__officials_answers') }}

),

answers as (

    select * from sipas_answers
    union all
    select * from officials_answers

),

responses as (

    select survey_code, response_key, survey_year from {{ ref('int_survey__responses') }}

)

select
    answers.survey_code,
    responses.survey_year,
    answers.response_key,
    answers.question_code,
    answers.answer

from answers
inner join responses
    on responses.survey_code = answers.survey_code
    and responses.response_key = answers.response_key
