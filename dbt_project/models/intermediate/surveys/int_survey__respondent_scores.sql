-- one row per respondent and element of a computed survey year: the question-weighted points scored (top-box hits or rescaled answers, reversed where lower is better) and the question weight answered; out-of-scale answers left out and counted
with years as (

    select survey_code, survey_year
    from {{ ref('int_survey__years') }}
    where status = 'computed'

),

questions as (

    select * from {{ ref('int_survey__questionnaires') }}
    where weight > 0

),

responses as (

    select * from {{ ref('int_survey__responses') }}

),

answers as (

    select answers.*
    from {{ ref('int_survey__answers') }} as answers
    inner join years
        on years.survey_code = answers.survey_code
        and years.survey_year = answers.survey_year

),

scored_answers as (

    select
        answers.survey_code,
        answers.survey_year,
        answers.response_key,
        questions.element_code,
        questions.element_name,
        questions.index_rule,
        questions.weight,
        answers.answer between questions.scale_min and questions.scale_max as is_valid,
        answers.answer is not null
            and answers.answer not between questions.scale_min and questions.scale_max
            as is_out_of_scale,
        case
            when questions.index_rule = 'top2_share'
                then case when answers.answer >= questions.scale_max - 1 then 1e0 else 0e0 end
            when questions.is_reversed
                then (questions.scale_max - answers.answer) * 1e0
                    / (questions.scale_max - questions.scale_min)
            else (answers.answer - questions.scale_min) * 1e0
                / (questions.scale_max - questions.scale_min)
        end as answer_score

    from answers
    inner join questions
        on questions.survey_code = answers.survey_code
        and questions.survey_year = answers.survey_year
        and questions.question_code = answers.question_code

),

per_respondent as (

    select
        survey_code,
        survey_year,
        response_key,
        element_code,
        min(element_name) as element_name,
        min(index_rule) as index_rule,
        sum(case when is_valid then weight * answer_score else 0e0 end) as points,
        sum(case when is_valid then weight else 0e0 end) as weight_answered,
        sum(case when is_out_of_scale then 1 else 0 end) as answers_out_of_scale
    from scored_answers
    group by survey_code, survey_year, response_key, element_code

)

select
    per_respondent.survey_code,
    per_respondent.survey_year,
    responses.unit_key,
    responses.unit_code,
    responses.code_system,
    per_respondent.response_key,
    responses.respondent_type,
    responses.sampling_weight,
    responses.cluster_key,
    per_respondent.element_code,
    per_respondent.element_name,
    per_respondent.index_rule,
    per_respondent.points,
    per_respondent.weight_answered,
    -- the respondent's own score on the element, 0..1 (null when nothing valid was answered)
    case when per_respondent.weight_answered > 0
        then per_respondent.points / per_respondent.weight_answered end as respondent_score,
    per_respondent.answers_out_of_scale

from per_respondent
inner join responses
    on responses.survey_code = per_respondent.survey_code
    and responses.response_key = per_respondent.response_key
