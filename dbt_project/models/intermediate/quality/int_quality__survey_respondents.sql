-- one row per respondent of every survey (SIPAS, officials, PAPI): interviewer, mode and length
-- of the interview, and the shape of the answers (how many, how varied, mean, the whole vector)
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

sipas_responses as (

    select * from {{ ref('stg_surveys__sipas_responses') }}

),

officials_responses as (

    select * from {{ ref('stg_surveys__officials_responses') }}

),

papi_responses as (

    select * from {{ ref('stg_surveys__papi_responses') }}

),

responses as (

    select
        response_key, survey_id, survey_year, province_key, code_system, interviewer_id, mode,
        interview_seconds, coalesce(sampling_weight, 1e0) as sampling_weight
    from sipas_responses
    union all
    select
        response_key, survey_id, survey_year, province_key, code_system, interviewer_id,
        'truc_tiep' as mode, interview_seconds, 1e0 as sampling_weight
    from officials_responses
    union all
    -- PAPI interviews are face to face (tablet-assisted)
    select
        response_key, survey_id, survey_year, province_key, code_system, interviewer_id,
        'truc_tiep' as mode, interview_seconds, coalesce(sampling_weight, 1e0) as sampling_weight
    from papi_responses

),

answer_shapes as (

    select
        response_key,
        min(survey_family) as survey_family,
        min(index_code) as index_code,
        count(*) as answered,
        count(distinct answer) as distinct_answers,
        avg(answer * 1e0) as mean_answer,
        var_samp(answer * 1e0) as answer_variance,
        {{ dbt.listagg('cast(answer as ' ~ dbt.type_string() ~ ')', "','", 'order by question_code') }}
            as answer_vector

    from answers
    group by response_key

)

select
    responses.response_key,
    answer_shapes.survey_family,
    answer_shapes.index_code,
    responses.survey_id,
    responses.survey_year,
    responses.province_key,
    responses.code_system,
    responses.interviewer_id,
    responses.mode,
    responses.interview_seconds,
    responses.sampling_weight,
    answer_shapes.answered,
    answer_shapes.distinct_answers,
    answer_shapes.mean_answer,
    answer_shapes.answer_variance,
    answer_shapes.answer_vector,
    -- straight-lining: one answer to every question (needs enough questions to mean anything)
    answer_shapes.answered >= 5 and answer_shapes.distinct_answers = 1 as is_straight_line

from responses
inner join answer_shapes
    on answer_shapes.response_key = responses.response_key
