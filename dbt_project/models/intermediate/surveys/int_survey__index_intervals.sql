-- one row per survey, year, unit and element (and 'overall'): 95% bootstrap intervals of the index and the rank, and of the rank change against the previous year (positive = up) with whether it exceeds the noise
with ranks as (

    select * from {{ ref('int_survey__bootstrap_ranks') }}

),

changes as (

    select
        current_year.survey_code,
        current_year.survey_year,
        current_year.unit_key,
        current_year.element_code,
        current_year.replicate,
        previous_year.rank - current_year.rank as rank_change
    from ranks as current_year
    inner join ranks as previous_year
        on previous_year.survey_code = current_year.survey_code
        and previous_year.survey_year = current_year.survey_year - 1
        and previous_year.unit_key = current_year.unit_key
        and previous_year.element_code = current_year.element_code
        and previous_year.replicate = current_year.replicate

),

index_intervals as (

    select
        survey_code, survey_year, unit_key, element_code,
        count(*) as replicates,
        percentile_cont(0.025) within group (order by index_pct) as index_low_pct,
        percentile_cont(0.975) within group (order by index_pct) as index_high_pct,
        cast(percentile_disc(0.025) within group (order by rank) as bigint) as rank_best,
        cast(percentile_disc(0.975) within group (order by rank) as bigint) as rank_worst
    from ranks
    group by survey_code, survey_year, unit_key, element_code

),

change_intervals as (

    select
        survey_code, survey_year, unit_key, element_code,
        cast(percentile_disc(0.025) within group (order by rank_change) as bigint) as rank_change_low,
        cast(percentile_disc(0.975) within group (order by rank_change) as bigint) as rank_change_high
    from changes
    group by survey_code, survey_year, unit_key, element_code

)

select
    index_intervals.*,
    change_intervals.rank_change_low,
    change_intervals.rank_change_high,
    -- beyond the noise: the 95% interval of the change excludes no change
    case when change_intervals.rank_change_low is null then null
        else change_intervals.rank_change_low > 0 or change_intervals.rank_change_high < 0
    end as rank_change_beyond_noise

from index_intervals
left join change_intervals
    on change_intervals.survey_code = index_intervals.survey_code
    and change_intervals.survey_year = index_intervals.survey_year
    and change_intervals.unit_key = index_intervals.unit_key
    and change_intervals.element_code = index_intervals.element_code
