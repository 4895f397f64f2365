-- one row per PAR INDEX methodology version and scored criterion: field, maximum points, source and, for survey criteria, the survey result that gives its points
{{ config(materialized='table', partition_by=none) }}  -- no year grain: rebuilt whole with every yearly build

with criteria as (

    select * from {{ ref('stg_par_index__methodology') }}

),

survey_rules as (

    select * from {{ ref('par_survey_criteria') }}

)

select
    criteria.methodology_version,
    criteria.valid_from_year,
    criteria.valid_to_year,
    criteria.field_code,
    criteria.field_name,
    criteria.criterion_code,
    criteria.criterion_name,
    criteria.max_points,
    criteria.criterion_source,
    survey_rules.survey_code,
    -- empty element = the survey's overall index
    coalesce(survey_rules.element_code, 'overall') as survey_element_code

from criteria
left join survey_rules
    on survey_rules.methodology_version = criteria.methodology_version
    and survey_rules.criterion_code = criteria.criterion_code
    and criteria.criterion_source = 'dieu_tra_xhh'
