-- one row per calendar day with the working-day status computed in Python (chiso.calendar)
with source_days as (

    select * from {{ source('reference', 'calendar_days') }}

)

select
    cast(calendar_date as date) as calendar_date,
    cast(is_working_day as boolean) as is_working_day,
    cast(is_weekend as boolean) as is_weekend,
    {{ clean_text('holiday_name') }} as holiday_name,
    coalesce(cast(is_swapped_workday as boolean), false) as is_swapped_workday,
    coalesce(cast(is_override as boolean), false) as is_override

from source_days
