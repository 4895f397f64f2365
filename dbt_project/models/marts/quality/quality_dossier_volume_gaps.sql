-- one row per province (the unit) and month (the period): the longest run of days without a
-- single dossier and how many dossiers the province normally has on those days. A run of zeros
-- where the expected count is high is a synchronisation gap, not a quiet week.
with daily as (

    select * from {{ ref('int_quality__dossier_daily_volumes') }}

),

normal_levels as (

    -- the month's typical volume per day type (working days, and weekends/holidays when only
    -- online submissions arrive)
    select
        province_key,
        month_start,
        is_working_day,
        {{ quality_median('dossiers') }} as normal_dossiers

    from daily
    group by 1, 2, 3

),

zero_days as (

    select
        daily.*,
        normal_levels.normal_dossiers,
        -- consecutive zero days share one island number
        daily.day_number - row_number() over (
            partition by daily.province_key order by daily.calendar_date
        ) as zero_run

    from daily
    inner join normal_levels
        on normal_levels.province_key = daily.province_key
        and normal_levels.month_start = daily.month_start
        and normal_levels.is_working_day = daily.is_working_day
    where daily.dossiers = 0

),

zero_runs as (

    select
        province_key,
        zero_run,
        min(calendar_date) as gap_from,
        max(calendar_date) as gap_to,
        count(*) as gap_days,
        sum(normal_dossiers * 1e0) as expected_missing_dossiers

    from zero_days
    group by 1, 2

),

ranked_runs as (

    select
        zero_runs.*,
        cast({{ dbt.date_trunc('month', 'gap_from') }} as date) as month_start,
        row_number() over (
            partition by province_key, {{ dbt.date_trunc('month', 'gap_from') }}
            order by expected_missing_dossiers desc, gap_from
        ) as run_rank

    from zero_runs

),

months as (

    select
        province_key,
        min(code_system) as code_system,
        month_start,
        count(*) as days,
        cast(sum(dossiers) as bigint) as dossiers,
        max(dossiers) as max_daily_dossiers,
        {{ quality_median('dossiers') }} filter (where is_working_day) as median_working_day_dossiers

    from daily
    group by 1, 3

)

select
    'province' as unit_type,
    months.province_key as unit_key,
    months.code_system,
    'month' as period_type,
    months.month_start as period_start,
    months.days,
    months.dossiers,
    months.max_daily_dossiers,
    months.median_working_day_dossiers,
    months.max_daily_dossiers * 1e0 / nullif(months.median_working_day_dossiers, 0)
        as max_to_median_daily_ratio,
    coalesce(runs.gap_days, 0) as longest_gap_days,
    runs.gap_from,
    runs.gap_to,
    coalesce(runs.expected_missing_dossiers, 0) as gap_expected_dossiers

from months
left join ranked_runs as runs
    on runs.province_key = months.province_key
    and runs.month_start = months.month_start
    and runs.run_rank = 1
