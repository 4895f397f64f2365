-- one row per respondent and question of every survey (SIPAS, officials, PAPI), answers within
-- their questionnaire's scale only (out-of-scale codes are a consistency flag, not an answer)
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with sipas_answers as (

    select * from {{ ref('stg_surveys__sipas_answers') }}

),

sipas_responses as (

    select * from {{ ref('stg_surveys__sipas_responses') }}

),

sipas_questions as (

    select * from {{ ref('stg_surveys__sipas_questionnaire') }}

),

officials_answers as (

    select * from {{ ref('stg_surveys__officials_answers') }}

),

officials_responses as (

    select * from {{ ref('stg_surveys__officials_responses') }}

),

officials_questions as (

    select * from {{ ref('stg_surveys__officials_questionnaire') }}

),

sipas as (

    select
        'sipas' as survey_family,
        'sipas' as index_code,
        responses.survey_id,
        responses.survey_year,
        responses.province_key,
        responses.code_system,
        answers.response_key,
        answers.question_code,
        answers.answer,
        questions.scale_min,
        questions.scale_max,
        questions.weight as question_weight

    from sipas_answers as answers
    inner join sipas_responses as responses
        on responses.response_key = answers.response_key
    inner join sipas_questions as questions
        on questions.survey_year = responses.survey_year
        and questions.question_code = answers.question_code

),

officials as (

    select
        'officials' as survey_family,
        'par_index' as index_code,
        responses.survey_id,
        responses.survey_year,
        responses.province_key,
        responses.code_system,
        answers.response_key,
        answers.question_code,
        answers.answer,
        questions.scale_min,
        questions.scale_max,
        questions.weight as question_weight

    from officials_answers as answers
    inner join officials_responses as responses
        on responses.response_key = answers.response_key
    inner join officials_questions as questions
        on questions.survey_year = responses.survey_year
        and questions.question_code = answers.question_code

),

papi as (

    -- PAPI's questionnaire is its methodology (int_survey__questionnaires), its missing codes
    -- already null in int_survey__answers
    select
        'papi' as survey_family,
        'papi' as index_code,
        responses.survey_id,
        responses.survey_year,
        responses.province_key,
        responses.code_system,
        answers.response_key,
        answers.question_code,
        answers.answer,
        questions.scale_min,
        questions.scale_max,
        questions.weight as question_weight

    from {{ ref('int_survey__answers') }} as answers
    inner join {{ ref('stg_surveys__papi_responses') }} as responses
        on responses.response_key = answers.response_key
    inner join {{ ref('int_survey__questionnaires') }} as questions
        on questions.survey_code = 'papi'
        and questions.survey_year = responses.survey_year
        and questions.question_code = answers.question_code
    where answers.survey_code = 'papi'

),

answers_in_scale as (

    select * from sipas
    where answer between scale_min and scale_max
    union all
    select * from officials
    where answer between scale_min and scale_max
    union all
    select * from papi
    where answer between scale_min and scale_max

)

select
    *,
    scale_max - scale_min + 1 as answer_options

from answers_in_scale
