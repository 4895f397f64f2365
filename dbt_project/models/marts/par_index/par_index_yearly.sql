-- one row per PAR INDEX year and province: appraised and survey points, total, % of maximum, band, rank "N of M", rank within region, change in points and rank against the previous year, 95% bootstrap intervals, and a comparable figure for units new that year
with scores as (

    select * from {{ ref('int_par_index__unit_scores') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

bands as (

    select * from {{ ref('index_bands') }}
    where index_family = 'par_index'

),

with_region as (

    select
        scores.*,
        provinces.province_name,
        provinces.region_code,
        provinces.region_name,
        scores.status = 'computed' and scores.pct_of_max is not null as is_ranked
    from scores
    left join provinces on provinces.province_key = scores.province_key

),

ranked as (

    select
        *,
        {{ published_round('pct_of_max') }} as pct_of_max_published,
        {{ competition_rank('pct_of_max', ['year'], 'is_ranked') }} as rank,
        {{ ranked_count('pct_of_max', ['year'], 'is_ranked') }} as rank_of,
        {{ competition_rank('pct_of_max', ['year', 'region_code'], 'is_ranked') }} as region_rank,
        {{ ranked_count('pct_of_max', ['year', 'region_code'], 'is_ranked') }} as region_rank_of
    from with_region

),

comparable as (

    select
        *,
        {{ competition_rank('pct_of_max', ['year']) }} as rank
    from {{ ref('int_par_index__comparable_scores') }}

),

first_year as (

    select min(year) as year from scores

),

intervals as (

    select * from {{ ref('int_par_index__intervals') }}

)

select
    ranked.year,
    ranked.province_key,
    ranked.province_code,
    ranked.code_system,
    ranked.province_name,
    ranked.region_code,
    ranked.region_name,
    ranked.methodology_version,
    ranked.status,
    ranked.not_computed_reason,
    ranked.appraised_points,
    ranked.survey_points,
    ranked.total_points,
    ranked.max_points,
    ranked.pct_of_max,
    ranked.pct_of_max_published,
    case when ranked.is_ranked then bands.band end as band,
    ranked.is_ranked,
    cast(ranked.rank as integer) as rank,
    cast(ranked.rank_of as integer) as rank_of,
    cast(ranked.region_rank as integer) as region_rank,
    cast(ranked.region_rank_of as integer) as region_rank_of,
    previous_year.total_points as previous_total_points,
    {{ published_round('ranked.total_points - previous_year.total_points') }} as points_change,
    {{ published_round('ranked.pct_of_max_published - previous_year.pct_of_max_published') }}
        as pct_change,
    cast(previous_year.rank as integer) as previous_rank,
    cast(previous_year.rank - ranked.rank as integer) as rank_change,
    ranked.year > first_year.year and previous_year.province_key is null as is_new_unit,
    comparable.pct_of_max as comparable_previous_pct,
    cast(comparable.rank as integer) as comparable_previous_rank,
    cast(comparable.rank - ranked.rank as integer) as comparable_rank_change,
    intervals.pct_low,
    intervals.pct_high,
    cast(intervals.rank_best as integer) as rank_best,
    cast(intervals.rank_worst as integer) as rank_worst,
    cast(intervals.rank_change_low as integer) as rank_change_low,
    cast(intervals.rank_change_high as integer) as rank_change_high,
    intervals.rank_change_beyond_noise

from ranked
cross join first_year
left join bands
    on ranked.pct_of_max_published >= bands.min_pct
    and (bands.below_pct is null or ranked.pct_of_max_published < bands.below_pct)
left join ranked as previous_year
    on previous_year.year = ranked.year - 1
    and previous_year.province_key = ranked.province_key
left join comparable
    on comparable.year = ranked.year - 1
    and comparable.province_key = ranked.province_key
    and previous_year.province_key is null
left join intervals
    on intervals.year = ranked.year
    and intervals.province_key = ranked.province_key
