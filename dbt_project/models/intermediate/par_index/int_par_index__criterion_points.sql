-- one row per PAR INDEX year, province and criterion of the methodology in force: the appraised points, or for a survey criterion the points computed from that year's survey (max points × index / 100, half up to the cent)
with years as (

    select * from {{ ref('int_par_index__years') }}
    where versions_in_force = 1

),

criteria as (

    select criteria.*, years.year
    from {{ ref('int_par_index__methodology') }} as criteria
    inner join years on years.methodology_version = criteria.methodology_version

),

scores as (

    select * from {{ ref('stg_par_index__scores') }}

),

units as (

    select distinct year, province_key, province_code, code_system from scores

),

survey_results as (

    select survey_code, survey_year, unit_key, element_code, index_pct
    from {{ ref('int_survey__element_index') }}
    where unit_basis = 'own' and respondent_type = 'all'
    union all
    select survey_code, survey_year, unit_key, 'overall' as element_code, index_pct
    from {{ ref('int_survey__unit_index') }}
    where unit_basis = 'own' and respondent_type = 'all'

),

unit_criteria as (

    select units.province_key, units.province_code, units.code_system, criteria.*
    from units
    inner join criteria on criteria.year = units.year

)

select
    unit_criteria.year,
    unit_criteria.province_key,
    unit_criteria.province_code,
    unit_criteria.code_system,
    unit_criteria.methodology_version,
    unit_criteria.field_code,
    unit_criteria.field_name,
    unit_criteria.criterion_code,
    unit_criteria.criterion_source,
    unit_criteria.max_points,
    scores.appraised_points as scored_points,
    scores.max_points as scored_max_points,
    scores.criterion_code is not null as is_in_score_sheet,
    unit_criteria.survey_code,
    unit_criteria.survey_element_code,
    survey_results.index_pct as survey_index_pct,
    case
        when unit_criteria.criterion_source = 'dieu_tra_xhh' and unit_criteria.survey_code is not null
            then {{ published_round('unit_criteria.max_points * survey_results.index_pct / 100') }}
        else scores.appraised_points
    end as points

from unit_criteria
left join scores
    on scores.year = unit_criteria.year
    and scores.province_key = unit_criteria.province_key
    and scores.criterion_code = unit_criteria.criterion_code
left join survey_results
    on survey_results.survey_code = unit_criteria.survey_code
    and survey_results.survey_year = unit_criteria.year
    and survey_results.unit_key = unit_criteria.province_key
    and survey_results.element_code = unit_criteria.survey_element_code
