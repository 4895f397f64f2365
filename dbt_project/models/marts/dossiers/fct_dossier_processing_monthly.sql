-- the one-stop-shop processing statistics per agency and period (month, quarter, year), counted
-- from the dossier lifecycle per period: flows over the period, stocks at its start and end
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['period_type', 'period_start', 'agency_code'],
    on_schema_change='fail',
    tags=['monthly'],
    pre_hook="{{ delete_partition_periods() }}"
) }}

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

        -- flows and stocks
        count(*) filter (where is_received_in_period) as received_count,
        count(*) filter (where is_carried_over) as carried_over_count,
        count(*) filter (where is_received_in_period or is_carried_over) as to_process_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed') as processed_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'early') as processed_early_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'on_time') as processed_on_time_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'late') as processed_late_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement is null) as processed_unjudged_count,
        count(*) filter (where is_closed_in_period and outcome = 'refused') as refused_count,
        count(*) filter (where is_closed_in_period and outcome = 'stopped') as stopped_count,
        count(*) filter (where is_closed_in_period and outcome = 'withdrawn') as withdrawn_count,
        count(*) filter (where not is_closed_in_period) as in_progress_end_count,
        count(*) filter (where open_judgement = 'overdue') as in_progress_overdue_count,
        count(*) filter (where open_judgement = 'due_soon') as in_progress_due_soon_count,
        count(*) filter (where open_judgement = 'not_yet_due') as in_progress_not_yet_due_count,
        count(*) filter (where open_judgement = 'due_unknown') as in_progress_due_unknown_count,

        -- apology letters for late dossiers (known only where the system exports events)
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'late' and is_apology_before_due) as late_with_apology_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'late' and is_apology_issued) as late_with_any_apology_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and end_judgement = 'late' and is_apology_issued is not null)
            as late_apology_known_count,

        -- the dossiers received in the period: channel, payment, digitisation
        count(*) filter (where is_received_in_period and is_online_submission) as received_online_count,
        count(*) filter (where is_received_in_period and is_full_online_submission)
            as received_full_online_count,
        count(*) filter (where is_received_in_period and is_postal_submission) as received_postal_count,
        count(*) filter (where is_received_in_period and is_online_procedure)
            as received_online_procedure_count,
        count(*) filter (where is_received_in_period and is_fee_bearing) as received_fee_bearing_count,
        count(*) filter (where is_received_in_period and is_fee_bearing and is_paid_online)
            as received_fee_bearing_paid_online_count,
        count(*) filter (where is_received_in_period and is_digitised) as received_digitised_count,
        count(*) filter (where is_received_in_period and has_digitised_component)
            as received_with_digitised_component_count,
        count(*) filter (where is_received_in_period and is_reused) as received_reused_count,
        count(*) filter (where is_received_in_period and is_due_inconsistent)
            as received_due_inconsistent_count,

        -- the dossiers processed in the period: result, satisfaction, supplements, timing
        count(*) filter (where is_closed_in_period and outcome = 'processed' and has_electronic_result)
            as processed_electronic_result_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed' and rating_code is not null)
            as processed_rated_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed' and is_dissatisfied)
            as processed_dissatisfied_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed' and has_complaint)
            as processed_complaint_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and (has_complaint or is_dissatisfied)) as processed_complaint_or_dissatisfied_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed' and supplement_requests >= 1)
            as processed_with_supplement_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed' and has_second_supplement)
            as processed_second_supplement_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and is_supplement_wait_estimated) as processed_supplement_wait_estimated_count,
        -- the clock paused on the due day itself (gaming signal for the quality checks)
        count(*) filter (where is_closed_in_period and outcome = 'processed' and has_supplement_on_due_day)
            as processed_supplement_on_last_day_count,
        -- closed on the very minute the dossier falls due (gaming signal)
        count(*) filter (where is_closed_in_period and outcome = 'processed' and is_closed_at_due_minute)
            as processed_closed_at_due_minute_count,
        count(*) filter (where is_closed_in_period and outcome = 'processed'
                         and legal_time_used_share is not null) as processed_timed_count,
        coalesce(sum(legal_time_used_share) filter (where is_closed_in_period and outcome = 'processed'), 0)
            as processed_legal_time_used_share_sum

    from flagged
    group by period_type, period_start, period_end, agency_code, agency_province_key,
        agency_code_system, agency_province_key_gso34

)

select
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(agency_code as varchar) as agency_code,
    cast(province_key as varchar) as province_key,
    cast(code_system as varchar) as code_system,
    cast(province_key_gso34 as varchar) as province_key_gso34,
    {%- for column in dossier_count_columns() %}
    cast({{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(processed_legal_time_used_share_sum as decimal(18, 6)) as processed_legal_time_used_share_sum

from agency_periods
