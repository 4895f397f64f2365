-- one row per calendar day: Vietnam's working-day calendar with the overrides seed applied on top
with calendar_days as (

    select * from {{ ref('stg_reference__calendar_days') }}

),

overrides as (

    -- days the `holidays` library does not know yet (e.g. a newly announced swap)
    select calendar_date, is_working_day, reason
    from {{ ref('working_day_overrides') }}

),

days_with_overrides as (

    select
        calendar_days.calendar_date,
        calendar_days.is_weekend,
        coalesce(overrides.is_working_day, calendar_days.is_working_day) as is_working_day,
        coalesce(
            calendar_days.holiday_name,
            case when not overrides.is_working_day then overrides.reason end
        ) as holiday_name,
        calendar_days.is_override or overrides.calendar_date is not null as is_override,
        overrides.reason as override_reason

    from calendar_days
    left join overrides
        on overrides.calendar_date = calendar_days.calendar_date

),

numbered_days as (

    select
        *,
        -- running count: working days in (a, b] = number(b) - number(a)
        sum(case when is_working_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as working_day_number

    from days_with_overrides

)

select
    cast(calendar_date as date) as calendar_date,
    cast(extract(year from calendar_date) as integer) as year,
    cast(extract(quarter from calendar_date) as integer) as quarter,
    cast(extract(month from calendar_date) as integer) as month,
    cast(date_trunc('month', calendar_date) as date) as month_start,
    cast(extract(day from calendar_date) as integer) as day_of_month,
    -- ISO: 1 Monday ... 7 Sunday
    cast({{ iso_day_of_week('calendar_date') }} as integer) as day_of_week,
    cast(is_weekend as boolean) as is_weekend,
    cast(holiday_name is not null and not is_working_day as boolean) as is_holiday,
    cast(holiday_name as {{ dbt.type_string() }}) as holiday_name,
    cast(is_working_day as boolean) as is_working_day,
    cast(working_day_number as integer) as working_day_number,
    -- a Saturday or Sunday worked in exchange for a day off (e.g. 2024-05-04, 2025-04-26)
    cast(is_weekend and is_working_day as boolean) as is_swapped_workday,
    cast(is_override as boolean) as is_override,
    cast(override_reason as {{ dbt.type_string() }}) as override_reason,
    cast({{ province_code_system('calendar_date') }} as {{ dbt.type_string() }}) as province_code_system

from numbered_days
