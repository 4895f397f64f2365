-- one row per internal-index year, province, block, unit and criterion of the block's methodology in force (the latest valid_from_year not after the year): the points scored
with scores as (

    select * from {{ ref('stg_par_index__internal_scores') }}

),

criteria as (

    select * from {{ ref('stg_par_index__internal_methodology') }}

),

units as (

    select distinct year, province_code, province_key, block, unit_code, unit_name from scores

),

versions as (

    select
        units.year, units.province_code, units.block,
        max(criteria.valid_from_year) as valid_from_year
    from (select distinct year, province_code, block from units) as units
    inner join criteria
        on criteria.province_code = units.province_code
        and criteria.block = units.block
        and criteria.valid_from_year <= units.year
    group by units.year, units.province_code, units.block

),

unit_criteria as (

    select units.*, criteria.field_code, criteria.field_name, criteria.criterion_code,
        criteria.max_points, criteria.criterion_source, versions.valid_from_year
    from units
    inner join versions
        on versions.year = units.year
        and versions.province_code = units.province_code
        and versions.block = units.block
    inner join criteria
        on criteria.province_code = units.province_code
        and criteria.block = units.block
        and criteria.valid_from_year = versions.valid_from_year

)

select
    unit_criteria.*,
    scores.criterion_code is not null as is_in_score_sheet,
    scores.appraised_points as points

from unit_criteria
left join scores
    on scores.year = unit_criteria.year
    and scores.province_code = unit_criteria.province_code
    and scores.block = unit_criteria.block
    and scores.unit_code = unit_criteria.unit_code
    and scores.criterion_code = unit_criteria.criterion_code
