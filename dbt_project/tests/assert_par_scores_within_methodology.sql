-- every PAR INDEX score is a criterion of the methodology in force that year and within its maximum points (warns: a consistency flag)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_par_index__scores'}}}) }}

with scores as (

    select * from {{ ref('stg_par_index__scores') }}

),

criteria as (

    select * from {{ ref('stg_par_index__methodology') }}

),

scored_against_methodology as (

    select
        scores.year,
        scores.province_key,
        scores.criterion_code,
        scores.self_assessed_points,
        scores.appraised_points,
        criteria.methodology_version,
        coalesce(criteria.max_points, scores.max_points) as max_points

    from scores
    left join criteria
        on criteria.criterion_code = scores.criterion_code
        and scores.year >= criteria.valid_from_year
        and (criteria.valid_to_year is null or scores.year <= criteria.valid_to_year)

)

select
    *,
    case when methodology_version is null then 'criterion not in the methodology of the year'
        else 'above maximum points' end as failure
from scored_against_methodology
where methodology_version is null
    or appraised_points > max_points
    or self_assessed_points > max_points
    or appraised_points < 0
