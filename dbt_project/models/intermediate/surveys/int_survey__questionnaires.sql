-- one row per survey, year and question: the element (SIPAS element, PAR field) it feeds, its scale, weight and the index rule in force
with sipas_questions as (

    select
        'sipas' as survey_code,
        survey_year,
        question_code,
        element_code,
        element_name,
        scale_min,
        scale_max,
        weight,
        index_rule
    from {{ ref('stg_surveys__sipas_questionnaire') }}

),

officials_questions as (

    select
        'officials' as survey_code,
        survey_year,
        question_code,
        par_field_code as element_code,
        par_field_name as element_name,
        scale_min,
        scale_max,
        weight,
        cast(null as {{ dbt.type_string() }}) as index_rule
    from {{ ref('stg_surveys__officials_questionnaire') }}

),

questions as (

    select * from sipas_questions
    union all
    select * from officials_questions

),

default_rules as (

    select * from {{ ref('survey_index_rules') }}

)

select
    questions.survey_code,
    questions.survey_year,
    questions.question_code,
    questions.element_code,
    questions.element_name,
    questions.scale_min,
    questions.scale_max,
    questions.weight,
    coalesce(questions.index_rule, default_rules.index_rule) as index_rule,
    case when questions.index_rule is not null then 'questionnaire'
        when default_rules.index_rule is not null then 'survey_index_rules'
    end as index_rule_source,
    coalesce(default_rules.published_decimals, 2) as published_decimals

from questions
left join default_rules
    on default_rules.survey_code = questions.survey_code
    and questions.survey_year between default_rules.valid_from_year and default_rules.valid_to_year
