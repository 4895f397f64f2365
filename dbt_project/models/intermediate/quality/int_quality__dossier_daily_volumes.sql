-- one row per province and calendar day between its first and last submitted dossier, with the
-- dossiers submitted that day (zero included): the series the sync-gap check reads
with lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}

),

calendar as (

    select * from {{ ref('stg_reference__calendar_days') }}

),

daily_counts as (

    select
        province_key,
        min(code_system) as code_system,
        cast(submitted_at as date) as submitted_on,
        count(*) as dossiers

    from lifecycle
    where submitted_at is not null
    group by province_key, cast(submitted_at as date)

),

province_spans as (

    select
        province_key,
        min(code_system) as code_system,
        min(submitted_on) as first_day,
        max(submitted_on) as last_day

    from daily_counts
    group by province_key

)

select
    spans.province_key,
    spans.code_system,
    calendar.calendar_date,
    cast({{ dbt.date_trunc('month', 'calendar.calendar_date') }} as date) as month_start,
    calendar.is_working_day,
    {{ dbt.datediff("cast('2000-01-01' as date)", 'calendar.calendar_date', 'day') }} as day_number,
    coalesce(daily_counts.dossiers, 0) as dossiers

from province_spans as spans
inner join calendar
    on calendar.calendar_date between spans.first_day and spans.last_day
left join daily_counts
    on daily_counts.province_key = spans.province_key
    and daily_counts.submitted_on = calendar.calendar_date
