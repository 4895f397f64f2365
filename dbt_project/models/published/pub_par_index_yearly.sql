-- published: the PAR INDEX
{{ config(alias='par_index_yearly') }}
with released as (

    select * from {{ ref('par_index_yearly') }}

)

select
    year,
    province_key,
    province_code,
    code_system,
    province_name,
    region_code,
    region_name,
    methodology_version,
    status,
    not_computed_reason,
    appraised_points,
    survey_points,
    total_points,
    max_points,
    pct_of_max,
    pct_of_max_published,
    band,
    is_ranked,
    rank,
    rank_of,
    region_rank,
    region_rank_of,
    previous_total_points,
    points_change,
    pct_change,
    previous_rank,
    rank_change,
    is_new_unit,
    comparable_previous_pct,
    comparable_previous_rank,
    comparable_rank_change,
    pct_low,
    pct_high,
    rank_best,
    rank_worst,
    rank_change_low,
    rank_change_high,
    rank_change_beyond_noise

from released
