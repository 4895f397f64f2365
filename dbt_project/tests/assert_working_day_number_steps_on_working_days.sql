-- working_day_number rises by exactly 1 on each working day and stays put on other days
with numbered as (

    select
        calendar_date,
        is_working_day,
        working_day_number,
        lag(working_day_number) over (order by calendar_date) as previous_number,
        row_number() over (order by calendar_date) as day_index

    from {{ ref('dim_date') }}

)

select *
from numbered
where working_day_number
    <> coalesce(previous_number, 0) + case when is_working_day then 1 else 0 end
