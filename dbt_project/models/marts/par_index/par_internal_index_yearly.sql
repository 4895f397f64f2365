-- one row per internal-index year, province, block and unit (a province's departments and district people's committees): total, % of maximum, band, rank within the block "N of M", the block's mean and its change against the previous year
with scores as (

    select
        *,
        status = 'computed' and pct_of_max is not null as is_ranked
    from {{ ref('int_par_internal__unit_scores') }}

),

bands as (

    select * from {{ ref('index_bands') }}
    where index_family = 'par_internal_index'

),

provinces as (

    select * from {{ ref('dim_province') }}

),

ranked as (

    select
        *,
        {{ published_round('pct_of_max') }} as pct_of_max_published,
        {{ competition_rank('pct_of_max', ['year', 'province_key', 'block'], 'is_ranked') }}
            as rank,
        {{ ranked_count('pct_of_max', ['year', 'province_key', 'block'], 'is_ranked') }}
            as rank_of
    from scores

),

block_means as (

    select year, province_key, block, avg(total_points) as block_mean_points
    from scores
    where is_ranked
    group by year, province_key, block

)

select
    ranked.year,
    ranked.province_key,
    ranked.province_code,
    provinces.province_name,
    ranked.block,
    case ranked.block when 'so_nganh' then 'Sở, ban, ngành'
        when 'huyen' then 'UBND cấp huyện' else ranked.block end as block_name,
    ranked.unit_code,
    ranked.unit_name,
    ranked.status,
    ranked.not_computed_reason,
    ranked.total_points,
    ranked.max_points,
    ranked.pct_of_max,
    ranked.pct_of_max_published,
    case when ranked.is_ranked then bands.band end as band,
    ranked.is_ranked,
    cast(ranked.rank as integer) as rank,
    cast(ranked.rank_of as integer) as rank_of,
    previous_year.total_points as previous_total_points,
    {{ published_round('ranked.total_points - previous_year.total_points') }} as points_change,
    cast(previous_year.rank as integer) as previous_rank,
    cast(previous_year.rank - ranked.rank as integer) as rank_change,
    block_means.block_mean_points,
    previous_means.block_mean_points as previous_block_mean_points,
    -- relative change, as the province reports it ("up 8.04%")
    100 * (block_means.block_mean_points / previous_means.block_mean_points - 1)
        as block_mean_change_pct

from ranked
left join provinces on provinces.province_key = ranked.province_key
left join bands
    on ranked.pct_of_max_published >= bands.min_pct
    and (bands.below_pct is null or ranked.pct_of_max_published < bands.below_pct)
left join ranked as previous_year
    on previous_year.year = ranked.year - 1
    and previous_year.province_code = ranked.province_code
    and previous_year.block = ranked.block
    and previous_year.unit_code = ranked.unit_code
left join block_means
    on block_means.year = ranked.year and block_means.province_key = ranked.province_key
    and block_means.block = ranked.block
left join block_means as previous_means
    on previous_means.year = ranked.year - 1
    and previous_means.province_key = ranked.province_key
    and previous_means.block = ranked.block
