-- one row per answer of every survey the engine scores, with its survey and year; a code the PAPI codebook declares missing (98 không biết, 99 không trả lời) is a null answer, not an out-of-scale one
with sipas_answers as (

    select 'sipas' as survey_code, response_key, question_code, answer
    from {{ ref('stg_surveys__sipas_answers') }}

),

officials_answers as (

    select 'officials' as survey_code, response_key, question_code, answer
    from {{ ref('stg_surveys__officials_answers') }}

),

papi_answers as (

    select 'papi' as survey_code, response_key, question_code, answer
    from {{ ref('stg_surveys__papi_answers') }}

),

answers as (

    select * from sipas_answers
    union all
    select * from officials_answers
    union all
    select * from papi_answers

),

responses as (

    select survey_code, response_key, survey_year from {{ ref('int_survey__responses') }}

),

missing_codes as (

    -- the codebook's missing-value codes per wave and variable, as ';98;99;' for a match
    select
        'papi' as survey_code,
        survey_year,
        question_code,
        {{ dbt.concat(["';'", 'missing_values', "';'"]) }} as missing_list
    from {{ ref('stg_surveys__papi_codebook') }}
    where missing_values is not null

)

select
    answers.survey_code,
    responses.survey_year,
    answers.response_key,
    answers.question_code,
    case
        when missing_codes.missing_list like {{ dbt.concat(
            ["'%;'", 'cast(answers.answer as ' ~ dbt.type_string() ~ ')', "';%'"]) }}
            then null
        else answers.answer
    end as answer

from answers
inner join responses
    on responses.survey_code = answers.survey_code
    and responses.response_key = answers.response_key
left join missing_codes
    on missing_codes.survey_code = answers.survey_code
    and missing_codes.survey_year = responses.survey_year
    and missing_codes.question_code = answers.question_code
