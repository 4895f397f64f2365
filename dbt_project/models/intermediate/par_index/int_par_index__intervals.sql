-- one row per PAR INDEX year and computed province: 95% bootstrap intervals of the % of maximum and of the rank (survey points resampled, appraised points fixed), and of the rank change against the previous year (positive = up)
with ranks as (

    select * from {{ ref('int_par_index__bootstrap_ranks') }}

),

changes as (

    select
        current_year.year,
        current_year.province_key,
        previous_year.rank - current_year.rank as rank_change
    from ranks as current_year
    inner join ranks as previous_year
        on previous_year.year = current_year.year - 1
        and previous_year.province_key = current_year.province_key
        and previous_year.replicate = current_year.replicate

),

intervals as (

    select
        year, province_key,
        count(*) as replicates,
        percentile_cont(0.025) within group (order by pct_of_max) as pct_low,
        percentile_cont(0.975) within group (order by pct_of_max) as pct_high,
        cast(percentile_disc(0.025) within group (order by rank) as bigint) as rank_best,
        cast(percentile_disc(0.975) within group (order by rank) as bigint) as rank_worst
    from ranks
    group by year, province_key

),

change_intervals as (

    select
        year, province_key,
        cast(percentile_disc(0.025) within group (order by rank_change) as bigint) as rank_change_low,
        cast(percentile_disc(0.975) within group (order by rank_change) as bigint) as rank_change_high
    from changes
    group by year, province_key

)

select
    intervals.*,
    change_intervals.rank_change_low,
    change_intervals.rank_change_high,
    case when change_intervals.rank_change_low is null then null
        else change_intervals.rank_change_low > 0 or change_intervals.rank_change_high < 0
    end as rank_change_beyond_noise

from intervals
left join change_intervals
    on change_intervals.year = intervals.year
    and change_intervals.province_key = intervals.province_key
