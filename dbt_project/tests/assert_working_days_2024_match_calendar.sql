-- 2024 has var('expected_working_days_2024') working days (251), counted three independent ways; skipped only if 2024 is absent
{{ config(meta={'dagster': {'ref': {'name': 'dim_date'}}}) }}
with days_2024 as (

    select * from {{ ref('dim_date') }}
    where year = 2024

),

raw_days_2024 as (

    select * from {{ ref('stg_reference__calendar_days') }}
    where extract(year from calendar_date) = 2024

),

counts as (

    select
        (select count(*) from days_2024) as days_in_year,
        (select sum(case when is_working_day then 1 else 0 end) from days_2024)
            as working_days_flagged,
        -- the running number across the year, plus the first day if it is itself a working day
        (select max(working_day_number) - min(working_day_number) from days_2024)
            + (select case when is_working_day then 1 else 0 end
               from days_2024 order by calendar_date limit 1)
            as working_days_by_number,
        -- from the calendar's parts: weekdays, minus weekdays off, plus weekend days worked
        (select
            sum(case when not is_weekend then 1 else 0 end)
            - sum(case when not is_weekend and holiday_name is not null then 1 else 0 end)
            + sum(case when is_weekend and is_swapped_workday then 1 else 0 end)
         from raw_days_2024) as working_days_by_parts

)

select *
from counts
where days_in_year > 0
    and (
        days_in_year <> 366
        or working_days_flagged <> {{ var('expected_working_days_2024') }}
        or working_days_by_number <> {{ var('expected_working_days_2024') }}
        or working_days_by_parts <> {{ var('expected_working_days_2024') }}
    )
