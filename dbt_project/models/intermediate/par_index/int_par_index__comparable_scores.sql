-- one row per PAR INDEX year and successor province (gso34): the old provinces' scores of that year pooled into the unit they became (appraised points summed and recomputed as a share of the summed maxima, survey points from their respondents pooled), so a new unit has a comparable previous figure
with points as (

    select * from {{ ref('int_par_index__criterion_points') }}
    where code_system = 'gso63'

),

computed_years as (

    select distinct year from {{ ref('int_par_index__unit_scores') }}
    where status = 'computed'

),

successors as (

    select
        {{ province_key("'gso63'", 'province_code') }} as province_key,
        {{ province_key("'gso34'", 'successor_code_2025') }} as successor_key
    from {{ ref('provinces_2008_2025') }}
    where successor_code_2025 is not null

),

pooled_surveys as (

    select survey_code, survey_year, unit_key, element_code, index_pct
    from {{ ref('int_survey__element_index') }}
    where unit_basis = 'successor' and respondent_type = 'all'
    union all
    select survey_code, survey_year, unit_key, 'overall' as element_code, index_pct
    from {{ ref('int_survey__unit_index') }}
    where unit_basis = 'successor' and respondent_type = 'all'

),

pooled_criteria as (

    select
        points.year,
        successors.successor_key,
        points.criterion_code,
        points.criterion_source,
        points.survey_code,
        points.survey_element_code,
        min(points.max_points) as max_points,
        count(*) as predecessors,
        sum(points.points) as sum_points,
        sum(points.max_points) as sum_max_points
    from points
    inner join successors on successors.province_key = points.province_key
    inner join computed_years on computed_years.year = points.year
    group by points.year, successors.successor_key, points.criterion_code,
        points.criterion_source, points.survey_code, points.survey_element_code

),

pooled_points as (

    select
        pooled_criteria.*,
        case
            when pooled_criteria.criterion_source = 'dieu_tra_xhh'
                and pooled_criteria.survey_code is not null
                then {{ published_round('pooled_criteria.max_points * pooled_surveys.index_pct / 100') }}
            else pooled_criteria.max_points * pooled_criteria.sum_points
                / pooled_criteria.sum_max_points
        end as points
    from pooled_criteria
    left join pooled_surveys
        on pooled_surveys.survey_code = pooled_criteria.survey_code
        and pooled_surveys.survey_year = pooled_criteria.year
        and pooled_surveys.unit_key = pooled_criteria.successor_key
        and pooled_surveys.element_code = pooled_criteria.survey_element_code

)

select
    year,
    successor_key as province_key,
    max(predecessors) as predecessors,
    sum(points) as total_points,
    sum(max_points) as max_points,
    100 * sum(points) / sum(max_points) as pct_of_max

from pooled_points
group by year, successor_key
