-- the one-stop-shop processing statistics per agency and period (month, quarter, year), counted
-- from the dossier lifecycle per period: flows over the period, stocks at its start and end
{{ config(unique_key=['period_type', 'period_start', 'agency_code']) }}

with periods as (

    -- the partition's month and the quarter and year containing it (all periods without vars)
    select * from {{ ref('int_dossier__period_spine') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

lifecycle as (

    -- a dossier never received (still "newly registered", or turned away at the desk) is not
    -- in the one-stop-shop statistics
    select * from {{ ref('int_dossier__lifecycle') }}
    where is_received

),

supplements as (

    select * from {{ ref('int_dossier__supplements') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

dossier_periods as (

    -- each dossier in every period it belongs to: received in it, carried into it, closed in
    -- it or still open at its end
    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        cast(periods.period_start as timestamp) as period_started_at,
        cast(periods.period_end as timestamp) as period_ended_at,
        -- an open dossier is judged at the period's end (or the data's last moment before it)
        periods.judged_at,
        periods.judged_day_working_day_number,
        lifecycle.*

    from lifecycle
    inner join periods
        on lifecycle.received_at < cast(periods.period_end as timestamp)
        and (lifecycle.closed_at is null
             or lifecycle.closed_at >= cast(periods.period_start as timestamp))

),

open_at_end as (

    select * from dossier_periods
    where closed_at is null or closed_at >= period_ended_at

),

waits_to_period_end as (

    -- the applicant's time up to the judging moment (a pending request stops the clock at it)
    select
        open_at_end.dossier_id,
        open_at_end.period_type,
        open_at_end.period_start,
        count(*) as requests_by_period_end,
        sum({{ dbt.datediff(
            'supplements.requested_at',
            'least(coalesce(supplements.resumed_at, open_at_end.judged_at), open_at_end.judged_at)',
            'second') }}) as wait_seconds

    from open_at_end
    inner join supplements
        on supplements.dossier_id = open_at_end.dossier_id
        and supplements.requested_at < open_at_end.judged_at
    group by open_at_end.dossier_id, open_at_end.period_type, open_at_end.period_start

),

open_with_due as (

    select
        open_at_end.dossier_id,
        open_at_end.period_type,
        open_at_end.period_start,
        open_at_end.judged_at,
        open_at_end.due_at,
        open_at_end.judged_day_working_day_number,
        coalesce(waits.requests_by_period_end, 0) as requests_by_period_end,
        -- the due date moves by the time the dossier spent with the applicant
        {{ dbt.dateadd('second', 'coalesce(waits.wait_seconds, 0)', 'open_at_end.due_at') }}
            as extended_due_at

    from open_at_end
    left join waits_to_period_end as waits
        on waits.dossier_id = open_at_end.dossier_id
        and waits.period_type = open_at_end.period_type
        and waits.period_start = open_at_end.period_start

),

open_judged as (

    select
        open_with_due.dossier_id,
        open_with_due.period_type,
        open_with_due.period_start,
        case
            when open_with_due.due_at is null then 'due_unknown'
            when open_with_due.requests_by_period_end >= 2 then 'overdue'
            when open_with_due.judged_at > open_with_due.extended_due_at then 'overdue'
            -- nearly due: the due day is at most 3 working days after the day judged on
            when due_day.working_day_number - open_with_due.judged_day_working_day_number <= 3
                then 'due_soon'
            else 'not_yet_due'
        end as open_judgement

    from open_with_due
    left join calendar as due_day
        on due_day.calendar_date = cast(open_with_due.extended_due_at as date)

),

flagged as (

    select
        dossier_periods.*,
        dossier_periods.received_at >= dossier_periods.period_started_at as is_received_in_period,
        dossier_periods.received_at < dossier_periods.period_started_at as is_carried_over,
        coalesce(dossier_periods.closed_at < dossier_periods.period_ended_at, false) as is_closed_in_period,
        open_judged.open_judgement

    from dossier_periods
    left join open_judged
        on open_judged.dossier_id = dossier_periods.dossier_id
        and open_judged.period_type = dossier_periods.period_type
        and open_judged.period_start = dossier_periods.period_start

),

agency_periods as (

    select
        period_type,
        period_start,
        period_end,
        agency_code,
        agency_province_key as province_key,
        agency_code_system as code_system,
        agency_province_key_gso34 as province_key_gso34,

        -- every count of the statistics, as macros/dossier_metrics.sql defines it
        {%- for count in dossier_counts() %}
        count(*) filter (where {{ count.where }}) as {{ count.name }},
        {%- endfor %}
        coalesce(sum(legal_time_used_share) filter (where is_closed_in_period and outcome = 'processed'), 0)
            as processed_legal_time_used_share_sum

    from flagged
    group by period_type, period_start, period_end, agency_code, agency_province_key,
        agency_code_system, agency_province_key_gso34

)

select
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(agency_code as {{ dbt.type_string() }}) as agency_code,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(province_key_gso34 as {{ dbt.type_string() }}) as province_key_gso34,
    {%- for column in dossier_count_columns() %}
    cast({{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(processed_legal_time_used_share_sum as decimal(18, 6)) as processed_legal_time_used_share_sum

from agency_periods
