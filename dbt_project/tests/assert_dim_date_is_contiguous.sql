-- the calendar has no missing day between its first and last date (working-day counts rely on it)
select
    min(calendar_date) as first_day,
    max(calendar_date) as last_day,
    count(*) as days
from {{ ref('dim_date') }}
having count(*) > 0
    and count(*) <> {{ dbt.datediff('min(calendar_date)', 'max(calendar_date)', 'day') }} + 1
