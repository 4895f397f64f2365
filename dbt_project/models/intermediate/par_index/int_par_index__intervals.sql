-- one row per PAR INDEX year and computed province: 95% bootstrap intervals of the % of maximum and of the rank (survey points resampled, appraised points fixed), and of the rank change against the previous year (positive = up)
with ranks as (

    -- the years written and the year before them (rank changes)
    select * from {{ ref('int_par_index__bootstrap_ranks') }}
    where {{ in_partition_years('year', previous=true) }}

),

{{ bootstrap_interval_ctes('ranks', ['province_key'], 'year', 'pct_of_max') }}

select
    year,
    province_key,
    replicates,
    score_low as pct_low,
    score_high as pct_high,
    rank_best,
    rank_worst,
    rank_change_low,
    rank_change_high,
    rank_change_beyond_noise

from bootstrap_intervals
