-- one row per PAR INDEX round (year with scores) and the methodology version in force, with how many versions claim the year (exactly one is valid)
with score_years as (

    select distinct year from {{ ref('stg_par_index__scores') }}

),

versions as (

    select distinct methodology_version, valid_from_year, valid_to_year
    from {{ ref('int_par_index__methodology') }}

),

matches as (

    select
        score_years.year,
        count(versions.methodology_version) as versions_in_force,
        min(versions.methodology_version) as methodology_version
    from score_years
    left join versions
        on score_years.year >= versions.valid_from_year
        and (versions.valid_to_year is null or score_years.year <= versions.valid_to_year)
    group by score_years.year

)

select * from matches
