-- one row per PAPI year, province and dimension (and the total): 95% bootstrap intervals of the score and the rank, the replicates' standard deviation of the score, and the interval of the rank change against the previous year
with ranks as (

    -- the years written and the year before them (rank changes)
    select * from {{ ref('int_papi__bootstrap_ranks') }}
    where {{ in_partition_years('survey_year', previous=true) }}

),

{{ bootstrap_interval_ctes('ranks', ['unit_key', 'component_code'], 'survey_year', 'score') }}

select * from bootstrap_intervals
