-- every internal-index score is a criterion of its province's block methodology and within its maximum points (warns)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_par_index__internal_scores'}}}) }}

with scores as (

    select * from {{ ref('stg_par_index__internal_scores') }}

),

criteria as (

    select
        *,
        -- a block's criteria apply from valid_from_year until the next version
        lead(valid_from_year) over (
            partition by province_code, block, criterion_code order by valid_from_year
        ) as next_version_year
    from {{ ref('stg_par_index__internal_methodology') }}

),

scored_against_methodology as (

    select
        scores.year,
        scores.province_key,
        scores.block,
        scores.unit_code,
        scores.criterion_code,
        scores.self_assessed_points,
        scores.appraised_points,
        criteria.valid_from_year,
        coalesce(criteria.max_points, scores.max_points) as max_points

    from scores
    left join criteria
        on criteria.province_code = scores.province_code
        and criteria.block = scores.block
        and criteria.criterion_code = scores.criterion_code
        and scores.year >= criteria.valid_from_year
        and (criteria.next_version_year is null or scores.year < criteria.next_version_year)

)

select
    *,
    case when valid_from_year is null then 'criterion not in the block methodology'
        else 'above maximum points' end as failure
from scored_against_methodology
where valid_from_year is null
    or appraised_points > max_points
    or self_assessed_points > max_points
    or appraised_points < 0
