-- one row per survey, year and input error that stops that year's index (never a silent zero): the check, the item it concerns and how many rows
with questions as (

    select * from {{ ref('int_survey__questionnaires') }}

),

responses as (

    select * from {{ ref('int_survey__responses') }}

),

answers as (

    select * from {{ ref('int_survey__answers') }}

),

response_years as (

    select survey_code, survey_year, count(*) as respondents
    from responses
    group by survey_code, survey_year

),

no_questionnaire as (

    select
        response_years.survey_code,
        response_years.survey_year,
        'no_questionnaire' as check_name,
        cast(null as {{ dbt.type_string() }}) as item,
        response_years.respondents as error_rows,
        'answers of a year with no questionnaire' as detail
    from response_years
    where not exists (
        select 1 from questions
        where questions.survey_code = response_years.survey_code
            and questions.survey_year = response_years.survey_year
    )

),

question_not_in_questionnaire as (

    select
        answers.survey_code,
        answers.survey_year,
        'question_not_in_questionnaire' as check_name,
        answers.question_code as item,
        count(*) as error_rows,
        'answers to a question the year''s questionnaire does not list' as detail
    from answers
    where exists (
        select 1 from questions
        where questions.survey_code = answers.survey_code
            and questions.survey_year = answers.survey_year
    )
    and not exists (
        select 1 from questions
        where questions.survey_code = answers.survey_code
            and questions.survey_year = answers.survey_year
            and questions.question_code = answers.question_code
    )
    group by answers.survey_code, answers.survey_year, answers.question_code

),

bad_question as (

    select
        survey_code,
        survey_year,
        case
            when scale_min is null or scale_max is null or scale_min >= scale_max
                then 'invalid_scale'
            when weight is null or weight < 0 then 'invalid_weight'
            when index_rule is null then 'no_index_rule'
            else 'unknown_index_rule'
        end as check_name,
        question_code as item,
        1 as error_rows,
        'a question the engine cannot score' as detail
    from questions
    where scale_min is null or scale_max is null or scale_min >= scale_max
        or weight is null or weight < 0
        or index_rule is null
        or index_rule not in ('top2_share', 'rescaled_mean')

),

mixed_rules as (

    select
        survey_code,
        survey_year,
        'mixed_index_rules' as check_name,
        cast(null as {{ dbt.type_string() }}) as item,
        count(*) as error_rows,
        'one questionnaire year must use one index rule' as detail
    from questions
    group by survey_code, survey_year
    having count(distinct index_rule) > 1

),

element_without_weight as (

    select
        survey_code,
        survey_year,
        'element_without_weight' as check_name,
        element_code as item,
        count(*) as error_rows,
        'an element none of whose questions counts in the index' as detail
    from questions
    group by survey_code, survey_year, element_code
    having max(coalesce(weight, 0)) <= 0

),

bad_sampling_weight as (

    select
        survey_code,
        survey_year,
        'invalid_sampling_weight' as check_name,
        cast(null as {{ dbt.type_string() }}) as item,
        count(*) as error_rows,
        'respondents without a positive sampling weight' as detail
    from responses
    where sampling_weight is null or sampling_weight <= 0
    group by survey_code, survey_year

),

several_methodologies as (

    select
        'papi' as survey_code,
        survey_year,
        'several_methodology_versions' as check_name,
        cast(null as {{ dbt.type_string() }}) as item,
        max(versions_in_force) as error_rows,
        'more than one PAPI methodology version claims the year (seed papi_methodology)'
            as detail
    from {{ ref('int_papi__methodology') }}
    where versions_in_force > 1
    group by survey_year

)

select * from no_questionnaire
union all
select * from question_not_in_questionnaire
union all
select * from bad_question
union all
select * from mixed_rules
union all
select * from element_without_weight
union all
select * from bad_sampling_weight
union all
select * from several_methodologies
