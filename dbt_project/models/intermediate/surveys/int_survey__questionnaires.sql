-- one row per survey, year and question: the element (SIPAS element, PAR field, PAPI indicator) it feeds, its scale, whether it is scored reversed (lower is better), weight and the index rule in force
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
        false as is_reversed,
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
        false as is_reversed,
        cast(null as {{ dbt.type_string() }}) as index_rule
    from {{ ref('stg_surveys__officials_questionnaire') }}

),

papi_questions as (

    -- each PAPI indicator is an element of its own: the engine gives its weighted mean per
    -- province, int_papi__scores builds sub-dimensions, dimensions and the total from them
    select
        'papi' as survey_code,
        survey_year,
        indicator_code as question_code,
        indicator_code as element_code,
        indicator_name as element_name,
        scale_min,
        scale_max,
        1e0 as weight,
        rescaling = 'reverse_min_max' as is_reversed,
        cast(null as {{ dbt.type_string() }}) as index_rule
    from {{ ref('int_papi__methodology') }}

),

questions as (

    select * from sipas_questions
    union all
    select * from officials_questions
    union all
    select * from papi_questions

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
    questions.is_reversed,
    coalesce(questions.index_rule, default_rules.index_rule) as index_rule,
    case when questions.index_rule is not null then 'questionnaire'
        when default_rules.index_rule is not null then 'survey_index_rules'
    end as index_rule_source,
    coalesce(default_rules.published_decimals, 2) as published_decimals

from questions
left join default_rules
    on default_rules.survey_code = questions.survey_code
    and questions.survey_year between default_rules.valid_from_year and default_rules.valid_to_year
