-- published: a province's own reform index of its departments and districts
{{ config(alias='par_internal_index_yearly') }}
with released as (

    select * from {{ ref('par_internal_index_yearly') }}

)

select
    year,
    province_key,
    province_code,
    province_name,
    block,
    block_name,
    unit_code,
    unit_name,
    status,
    not_computed_reason,
    total_points,
    max_points,
    pct_of_max,
    pct_of_max_published,
    band,
    is_ranked,
    rank,
    rank_of,
    previous_total_points,
    points_change,
    previous_rank,
    rank_change,
    block_mean_points,
    previous_block_mean_points,
    block_mean_change_pct

from released
