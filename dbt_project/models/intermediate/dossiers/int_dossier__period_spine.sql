-- the months, quarters and years the dossier log covers: months are counted from the dossiers,
-- quarters and years rolled up from their months (stocks from the first and the last month)
{{ config(tags=['dossier_lifecycle']) }}

with calendar as (

    select * from {{ ref('int_reference__working_days') }}

),

lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}

),

data_range as (

    -- from the first receipt to the last thing the systems told us
    select
        min(cast(received_at as date)) as first_day,
        max(cast(last_activity_at as date)) as last_day,
        max(last_activity_at) as data_as_of

    from lifecycle
    where is_received

),

days_covered as (

    select calendar.calendar_date
    from calendar
    inner join data_range
        on calendar.calendar_date between data_range.first_day and data_range.last_day

),

periods as (

    select distinct 'month' as period_type, cast(date_trunc('month', calendar_date) as date) as period_start
    from days_covered
    union all
    select distinct 'quarter', cast(date_trunc('quarter', calendar_date) as date)
    from days_covered
    union all
    select distinct 'year', cast(date_trunc('year', calendar_date) as date)
    from days_covered

),

bounded as (

    select
        periods.period_type,
        periods.period_start,
        cast(case period_type
            when 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
            when 'quarter' then {{ dbt.dateadd('month', 3, 'period_start') }}
            else {{ dbt.dateadd('year', 1, 'period_start') }}
        end as date) as period_end,
        data_range.data_as_of

    from periods
    cross join data_range

),

judged as (

    select
        *,
        -- open dossiers are judged at the period's end, or at the last moment the data knows
        -- of while the period is still running
        least(cast(period_end as timestamp), data_as_of) as judged_at

    from bounded

)

select
    bounded.period_type || ':' || {{ date_text('bounded.period_start', 'day') }} as period_key,
    bounded.period_type,
    bounded.period_start,
    -- exclusive: the period is [period_start, period_end)
    bounded.period_end,
    cast({{ dbt.dateadd('day', -1, 'bounded.period_end') }} as date) as period_last_day,
    case bounded.period_type
        when 'month' then {{ date_text('bounded.period_start', 'month') }}
        when 'quarter' then {{ date_text('bounded.period_start', 'year') }} || '-Q'
            || cast(extract(quarter from bounded.period_start) as {{ dbt.type_string() }})
        else {{ date_text('bounded.period_start', 'year') }}
    end as period_label,
    cast(extract(year from bounded.period_start) as integer) as year,
    bounded.data_as_of,
    bounded.period_end <= cast(bounded.data_as_of as date) as is_complete,
    bounded.judged_at,
    -- "nearly due" counts working days after the day the dossiers are judged on
    judged_day.working_day_number as judged_day_working_day_number,
    -- the gso63 series stops with the last period that ends by the merger
    bounded.period_end <= date '{{ var("merger_date") }}' as is_before_merger

from judged as bounded
left join calendar as judged_day
    on judged_day.calendar_date = cast({{ dbt.dateadd('second', -1, 'bounded.judged_at') }} as date)
