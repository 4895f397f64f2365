-- one row per survey, year, unit and element (and 'overall'): 95% bootstrap intervals of the index and the rank, and of the rank change against the previous year (positive = up) with whether it exceeds the noise
with ranks as (

    -- the years written and the year before them (rank changes)
    select * from {{ ref('int_survey__bootstrap_ranks') }}
    where {{ in_partition_years('survey_year', previous=true) }}

),

{{ bootstrap_interval_ctes('ranks', ['survey_code', 'unit_key', 'element_code'], 'survey_year',
                           'index_pct') }}

select
    survey_code,
    survey_year,
    unit_key,
    element_code,
    replicates,
    score_low as index_low_pct,
    score_high as index_high_pct,
    rank_best,
    rank_worst,
    rank_change_low,
    rank_change_high,
    rank_change_beyond_noise

from bootstrap_intervals
