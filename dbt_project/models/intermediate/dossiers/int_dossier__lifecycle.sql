-- one row per dossier: its life from submission to the end of processing, judged by the rule
-- (SPEC 3.1). Status events win where a system exports them; record versions fill the gaps
-- and carry everything for systems that export records only. Dossiers whose rows cannot be
-- true together (int_dossier__consistency_flags) are left out.
-- Incremental (macros/dossier_increments.sql): the dossiers with rows loaded since the last
-- build are judged again, whole, from all their rows; a change of what they are judged against
-- rebuilds every dossier (a full refresh, decided by the orchestration). A dossier set aside
-- since its last judgement loses its row (pre-hook).
-- depends_on: {{ ref('stg_dossier_portal__events') }}
{{ config(tags=['dossier_lifecycle'], pre_hook="{{ delete_flagged_dossiers() }}",
          **dossier_incremental('dossier_id')) }}

{%- set in_changed = 'where dossier_id in (select dossier_id from changed_dossiers)'
    if is_incremental() else '' %}

with agencies as (

    select * from {{ ref('int_reference__agencies') }}

),
{%- if is_incremental() %}

loaded_dossiers as (

    {{ dossiers_loaded_after(loaded_through('last_loaded_at')) }}

),

unknown_agencies as (

    -- an agency missing from the reference reports in the smallest province its dossiers name
    -- (with_agency below): when one of its dossiers changes, all of them are judged again
    select touched.agency_code
    from (
        select agency_code from {{ ref('stg_dossier_portal__records') }}
        where dossier_id in (select dossier_id from loaded_dossiers)
        union
        select agency_code from {{ ref('int_dossier__events_ordered') }}
        where dossier_id in (select dossier_id from loaded_dossiers)
        union
        select agency_code from {{ this }}
        where dossier_id in (select dossier_id from loaded_dossiers)
    ) as touched
    left join agencies
        on agencies.agency_key = touched.agency_code
    where agencies.agency_key is null

),

changed_dossiers as (

    select dossier_id from loaded_dossiers
    union
    select lifecycle.dossier_id
    from {{ this }} as lifecycle
    where lifecycle.agency_code in (select agency_code from unknown_agencies)

),
{%- endif %}

latest_records as (

    select * from {{ ref('int_dossier_records__latest') }}
    {{ in_changed }}

),

record_versions as (

    select * from {{ ref('stg_dossier_portal__records') }}
    {{ in_changed }}

),

events as (

    select * from {{ ref('int_dossier__events_ordered') }}
    {{ in_changed }}

),

supplements as (

    select * from {{ ref('int_dossier__supplements') }}
    {{ in_changed }}

),

procedures as (

    select * from {{ ref('int_reference__procedures') }}

),

calendar as (

    select * from {{ ref('int_reference__working_days') }}

),

crosswalk as (

    select * from {{ ref('int_reference__province_crosswalk') }}

),

record_facts as (

    select
        dossier_id,
        min(received_at) as record_received_at,
        -- the due date first given to the applicant (a later version may carry a new one)
        min_by(due_at, version) filter (where due_at is not null) as due_at_given,
        least(min(processing_ended_at), min(result_returned_at)) as record_end_field_at,
        min(processing_ended_at) as record_processing_ended_at,
        min(result_returned_at) as record_result_returned_at,
        -- a version in an ending status whose end date field is empty still ends processing
        min(updated_at) filter (where status_code in ('3', '7', '8', '9', '10')) as record_end_status_at,
        -- the portal's priority among ending statuses: processed, returned, stopped or
        -- refused, withdrawn (the earliest version within the best)
        min_by(status_code, {{ record_ending_priority('status_code') }} * 1000000 + version)
            filter (where status_code in ('3', '7', '8', '9', '10')) as record_end_status,
        max(updated_at) as last_record_update_at,
        max(_loaded_at) as records_loaded_at

    from record_versions
    group by dossier_id

),

event_endings as (

    -- each ending a dossier's events show, by the portal's priority
    select
        dossier_id,
        ending_priority,
        min(event_at) as ended_at,
        min_by(ending_outcome, event_seq) as outcome

    from events
    where is_ending_event
    group by dossier_id, ending_priority

),

event_best_ending as (

    select dossier_id, ending_priority, ended_at, outcome
    from (
        select
            *,
            row_number() over (partition by dossier_id order by ending_priority) as ending_rank
        from event_endings
    ) as ranked
    where ending_rank = 1

),

event_facts as (

    select
        events.dossier_id,
        count(*) as events_seen,
        -- the agency that first handled it (a dossier known only by its events has no record)
        min_by(events.agency_code, events.event_seq) as event_agency_code,
        min(events.event_at) as first_event_at,
        min(events.event_at) filter (where events.event_type = 'TIEP_NHAN') as event_received_at,
        min(best.ended_at) as event_ended_at,
        min(best.outcome) as event_outcome,
        min(best.ending_priority) as event_ending_priority,
        min(events.event_at) filter (where events.event_type = 'DA_TRA_KET_QUA')
            as event_result_returned_at,
        min(events.event_at) filter (where events.event_type = 'XIN_LOI_HEN_LAI') as apology_at,
        min_by(events.new_due_at, events.event_seq) filter (where events.event_type = 'XIN_LOI_HEN_LAI')
            as apology_new_due_at,
        max(events.event_at) as last_event_at,
        max(events._loaded_at) as events_loaded_at

    from events
    left join event_best_ending as best
        on best.dossier_id = events.dossier_id
    group by events.dossier_id

),

consistency_flags as (

    select * from {{ ref('int_dossier__consistency_flags') }}

),

known_dossier_ids as (

    -- every dossier either source knows: systems that export the processing history alone
    -- send no record versions
    select dossier_id from latest_records
    union
    select dossier_id from event_facts

),

dossier_ids as (

    -- but the dossiers the consistency checks set aside (listed with their reason there)
    select known_dossier_ids.dossier_id
    from known_dossier_ids
    left join consistency_flags
        on consistency_flags.dossier_id = known_dossier_ids.dossier_id
    where consistency_flags.dossier_id is null

),

dossiers as (

    select
        dossier_ids.dossier_id,
        latest.procedure_code,
        latest.field_code,
        coalesce(latest.agency_code, event_facts.event_agency_code) as agency_code,
        coalesce(latest.province_key, event_agency.province_key) as province_key,
        coalesce(latest.code_system, event_agency.code_system) as code_system,
        coalesce(latest.level, event_agency.level) as level,
        latest.channel_code,
        latest.status_code as latest_status_code,
        coalesce(latest.versions_seen, 0) as versions_seen,
        coalesce(event_facts.events_seen, 0) as events_seen,
        case when event_facts.dossier_id is not null then 'events' else 'records' end
            as lifecycle_source,
        coalesce(latest.submitted_at, event_facts.first_event_at) as submitted_at,
        -- every moment is the earliest evidence of it in either source
        least(event_facts.event_received_at, record_facts.record_received_at) as received_at,
        record_facts.due_at_given,
        event_facts.event_ended_at,
        event_facts.event_outcome,
        event_facts.event_ending_priority,
        -- a processed dossier ends at its processing-end field, a returned one at its result
        case
            when record_facts.record_end_status = '9'
                then coalesce(record_facts.record_processing_ended_at,
                              record_facts.record_end_field_at, record_facts.record_end_status_at)
            when record_facts.record_end_status = '10'
                then coalesce(record_facts.record_end_field_at, record_facts.record_end_status_at)
            else coalesce(record_facts.record_end_field_at, record_facts.record_end_status_at)
        end as record_ended_at,
        case record_facts.record_end_status
            when '3' then 'refused'
            when '7' then 'withdrawn'
            when '8' then 'stopped'
            else 'processed'
        end as record_outcome,
        case
            when record_facts.record_end_status is not null
                then {{ record_ending_priority('record_facts.record_end_status') }}
            -- an end date field without an ending status: processed
            when record_facts.record_end_field_at is not null then 1
        end as record_ending_priority,
        least(event_facts.event_result_returned_at, record_facts.record_result_returned_at)
            as result_returned_at,
        event_facts.apology_at,
        event_facts.apology_new_due_at,
        greatest(event_facts.last_event_at, record_facts.last_record_update_at) as last_activity_at,
        greatest(event_facts.events_loaded_at, record_facts.records_loaded_at) as last_loaded_at,
        latest.paid_online_code,
        latest.has_digitised_component,
        latest.is_digitised,
        latest.is_reused_from_national_store,
        latest.result_code,
        latest.result_file_url,
        latest.rating_code,
        latest.has_complaint

    from dossier_ids
    left join latest_records as latest
        on latest.dossier_id = dossier_ids.dossier_id
    left join record_facts
        on record_facts.dossier_id = dossier_ids.dossier_id
    left join event_facts
        on event_facts.dossier_id = dossier_ids.dossier_id
    left join agencies as event_agency
        on latest.dossier_id is null
        and event_agency.agency_key = event_facts.event_agency_code

),

with_end as (

    -- the end of processing: the portal's priority first (processed, then returned, then
    -- stopped or refused, then withdrawn), then the earliest evidence of it in either source
    select
        *,
        case
            when event_ending_priority is null then record_ended_at
            when record_ending_priority is null then event_ended_at
            when event_ending_priority < record_ending_priority then event_ended_at
            when record_ending_priority < event_ending_priority then record_ended_at
            else least(event_ended_at, record_ended_at)
        end as processing_ended_at,
        case
            when event_ending_priority is null then
                case when record_ended_at is not null then record_outcome end
            when record_ending_priority is null then event_outcome
            when event_ending_priority < record_ending_priority then event_outcome
            when record_ending_priority < event_ending_priority then record_outcome
            when event_ended_at <= record_ended_at then event_outcome
            else record_outcome
        end as outcome

    from dossiers

),

with_due as (

    select
        dossiers.*,
        procedures.legal_time_value,
        procedures.legal_time_unit,
        procedures.online_level,
        procedures.is_full_online as is_full_online_procedure,
        procedures.is_fee_bearing,
        receipt_day.working_day_number as received_working_day_number,
        receipt_day.is_working_day as received_on_working_day,
        -- due = the N-th working day after the day of receipt at the same clock time; receipt
        -- plus N days, hours or calendar months for the other units
        case procedures.legal_time_unit
            when 'ngay_lam_viec' then {{ dbt.dateadd(
                'second',
                dbt.datediff('cast(cast(dossiers.received_at as date) as timestamp)',
                             'dossiers.received_at', 'second'),
                'cast(due_day.calendar_date as timestamp)') }}
            when 'ngay' then {{ dbt.dateadd('day', 'procedures.legal_time_value', 'dossiers.received_at') }}
            when 'gio' then {{ dbt.dateadd('hour', 'procedures.legal_time_value', 'dossiers.received_at') }}
            when 'thang' then {{ dbt.dateadd('month', 'procedures.legal_time_value', 'dossiers.received_at') }}
        end as due_at_recomputed

    from with_end as dossiers
    left join procedures
        on procedures.procedure_code = dossiers.procedure_code
    left join calendar as receipt_day
        on receipt_day.calendar_date = cast(dossiers.received_at as date)
    left join calendar as due_day
        on procedures.legal_time_unit = 'ngay_lam_viec'
        and due_day.is_working_day
        and due_day.working_day_number
            = receipt_day.working_day_number + procedures.legal_time_value

),

with_due_used as (

    select
        *,
        -- judged against the rule; the given date only when the rule cannot be applied
        -- (procedure unknown to the catalogue, or outside the calendar)
        coalesce(due_at_recomputed, due_at_given) as due_at,
        due_at_given is not null and due_at_recomputed is not null
            and due_at_given <> due_at_recomputed as is_due_inconsistent

    from with_due

),

supplement_totals as (

    select
        supplements.dossier_id,
        count(*) as supplement_requests,
        min(supplements.requested_at) as first_supplement_requested_at,
        -- the clock restarts at the completion (else the next request or version); a request
        -- never answered keeps it stopped until processing ended
        sum({{ dbt.datediff(
            'supplements.requested_at',
            'least(coalesce(supplements.resumed_at, dossiers.processing_ended_at), dossiers.processing_ended_at)',
            'second') }}) as supplement_wait_seconds,
        bool_or(supplements.is_wait_estimated) as is_supplement_wait_estimated,
        bool_or(supplements.requested_on = cast(dossiers.due_at as date)) as has_supplement_on_due_day

    from supplements
    inner join with_due_used as dossiers
        on dossiers.dossier_id = supplements.dossier_id
    -- a request logged after the end does not pause anything
    where dossiers.processing_ended_at is null
        or supplements.requested_at < dossiers.processing_ended_at
    group by supplements.dossier_id

),

with_supplements as (

    select
        dossiers.*,
        coalesce(supplement_totals.supplement_requests, 0) as supplement_requests,
        supplement_totals.first_supplement_requested_at,
        case
            when dossiers.processing_ended_at is not null
                then cast(coalesce(supplement_totals.supplement_wait_seconds, 0) as bigint)
        end as supplement_wait_seconds,
        coalesce(supplement_totals.is_supplement_wait_estimated, false)
            as is_supplement_wait_estimated,
        coalesce(supplement_totals.has_supplement_on_due_day, false) as has_supplement_on_due_day

    from with_due_used as dossiers
    left join supplement_totals
        on supplement_totals.dossier_id = dossiers.dossier_id

),

with_effective_end as (

    select
        *,
        -- the agency's own time: processing end minus the time the applicant had the dossier
        {{ dbt.dateadd('second', '-supplement_wait_seconds', 'processing_ended_at') }}
            as effective_ended_at

    from with_supplements

),

judged as (

    select
        dossiers.*,
        case
            when dossiers.processing_ended_at is null or dossiers.due_at is null then null
            -- a second supplement request makes the dossier late whatever the clock says
            when dossiers.supplement_requests >= 2 then 'late'
            when dossiers.effective_ended_at > dossiers.due_at then 'late'
            when cast(dossiers.effective_ended_at as date) < cast(dossiers.due_at as date)
                then 'early'
            else 'on_time'
        end as end_judgement,
        case dossiers.legal_time_unit
            -- working days: whole working days between the two days plus the clock difference;
            -- a moment on a non-working day counts as the end of the last working day before
            -- it (its day's number is that day's), so nothing on a weekend or holiday counts
            -- and the time is never negative (received Friday 15:20, ended Sunday 07:30: the
            -- rest of Friday, 0.36 working days)
            when 'ngay_lam_viec' then
                (end_day.working_day_number - dossiers.received_working_day_number)
                + ((case when end_day.is_working_day
                        then {{ dbt.datediff('cast(cast(dossiers.effective_ended_at as date) as timestamp)',
                                             'dossiers.effective_ended_at', 'second') }}
                        else 86400 end)
                   - (case when dossiers.received_on_working_day
                        then {{ dbt.datediff('cast(cast(dossiers.received_at as date) as timestamp)',
                                             'dossiers.received_at', 'second') }}
                        else 86400 end)) / 86400e0
            when 'gio' then
                {{ dbt.datediff('dossiers.received_at', 'dossiers.effective_ended_at', 'second') }} / 3600e0
            when 'ngay' then
                {{ dbt.datediff('dossiers.received_at', 'dossiers.effective_ended_at', 'second') }} / 86400e0
            when 'thang' then
                {{ dbt.datediff('dossiers.received_at', 'dossiers.effective_ended_at', 'second') }}
                / (86400e0 * 30.4375e0)
        end as processing_time_in_unit

    from with_effective_end as dossiers
    left join calendar as end_day
        on end_day.calendar_date = cast(dossiers.effective_ended_at as date)

),

agency_named_provinces as (

    -- the smallest province an agency's dossiers name. A group by, not a window: a window
    -- over every column of every dossier held them all in memory and ran out of DuckDB's
    -- memory limit at 10 M dossiers
    select agency_code, min(province_key) as province_key
    from dossiers
    group by agency_code

),

with_agency as (

    select
        dossiers.*,
        -- an agency reports in one province: its own (dim_agency), else the one its dossiers name
        coalesce(agencies.province_key, agency_named_provinces.province_key)
            as agency_province_key

    from judged as dossiers
    left join agencies
        on agencies.agency_key = dossiers.agency_code
    left join agency_named_provinces
        on agency_named_provinces.agency_code = dossiers.agency_code

)

select
    dossiers.dossier_id,
    dossiers.lifecycle_source,
    dossiers.versions_seen,
    dossiers.events_seen,
    dossiers.latest_status_code,

    -- where and what
    dossiers.procedure_code,
    dossiers.field_code,
    dossiers.agency_code,
    dossiers.level,
    dossiers.province_key,
    dossiers.code_system,
    coalesce(dossier_successor.gso34_province_key,
             case when dossiers.code_system = 'gso34' then dossiers.province_key end)
        as province_key_gso34,
    dossiers.agency_province_key,
    split_part(dossiers.agency_province_key, ':', 1) as agency_code_system,
    coalesce(agency_successor.gso34_province_key,
             case when dossiers.agency_province_key like 'gso34:%' then dossiers.agency_province_key end)
        as agency_province_key_gso34,

    -- the procedure
    dossiers.legal_time_value,
    dossiers.legal_time_unit,
    dossiers.online_level,
    coalesce(dossiers.is_full_online_procedure, false) as is_full_online_procedure,
    coalesce(dossiers.online_level in ('toan_trinh', 'mot_phan'), false) as is_online_procedure,
    coalesce(dossiers.is_fee_bearing, false) as is_fee_bearing,

    -- the clock
    dossiers.submitted_at,
    dossiers.received_at,
    dossiers.received_at is not null as is_received,
    dossiers.due_at_given,
    dossiers.due_at_recomputed,
    dossiers.due_at,
    dossiers.is_due_inconsistent,
    dossiers.processing_ended_at,
    dossiers.outcome,
    -- when the dossier leaves the stock of dossiers in progress (never before its receipt;
    -- greatest() skips nulls, so an open dossier is tested explicitly)
    case when dossiers.processing_ended_at is not null
        then greatest(dossiers.processing_ended_at, dossiers.received_at) end as closed_at,
    dossiers.result_returned_at,
    dossiers.last_activity_at,
    dossiers.last_loaded_at,

    -- supplements
    dossiers.supplement_requests,
    dossiers.supplement_requests >= 2 as has_second_supplement,
    dossiers.first_supplement_requested_at,
    dossiers.supplement_wait_seconds,
    dossiers.is_supplement_wait_estimated,
    dossiers.has_supplement_on_due_day,

    -- judgement at the end of processing
    dossiers.effective_ended_at,
    dossiers.end_judgement,
    -- decimals, so that sums over dossiers do not depend on the order they are added in
    -- never negative: an end logged before the receipt (a clock error) has used no time
    cast(round(case when dossiers.processing_time_in_unit < 0 then 0
        else dossiers.processing_time_in_unit end, 6) as decimal(18, 6)) as processing_time_in_unit,
    cast(round(case when dossiers.processing_time_in_unit < 0 then 0
        else dossiers.processing_time_in_unit end / nullif(dossiers.legal_time_value, 0), 6)
        as decimal(18, 6)) as legal_time_used_share,
    date_trunc('minute', dossiers.processing_ended_at) = date_trunc('minute', dossiers.due_at)
        as is_closed_at_due_minute,

    -- apology letters are only known from events (null: the system does not say)
    case when dossiers.lifecycle_source = 'events' then dossiers.apology_at is not null end
        as is_apology_issued,
    dossiers.apology_at,
    dossiers.apology_new_due_at,
    case when dossiers.lifecycle_source = 'events'
        then coalesce(dossiers.apology_at < dossiers.due_at, false) end as is_apology_before_due,

    -- channel, payment, digitisation, result, satisfaction
    dossiers.channel_code,
    dossiers.channel_code = '2' as is_online_submission,
    dossiers.channel_code = '2' and coalesce(dossiers.is_full_online_procedure, false)
        as is_full_online_submission,
    dossiers.channel_code = '3' as is_postal_submission,
    dossiers.paid_online_code,
    coalesce(dossiers.paid_online_code in ('1', '2'), false) as is_paid_online,
    coalesce(dossiers.is_digitised, false) as is_digitised,
    coalesce(dossiers.has_digitised_component, false) as has_digitised_component,
    coalesce(dossiers.is_reused_from_national_store, false) as is_reused,
    dossiers.result_code is not null or dossiers.result_file_url is not null as has_electronic_result,
    dossiers.rating_code,
    coalesce(dossiers.rating_code = 'khong_hai_long', false) as is_dissatisfied,
    coalesce(dossiers.has_complaint, false) as has_complaint

from with_agency as dossiers
left join crosswalk as dossier_successor
    on dossier_successor.gso63_province_key = dossiers.province_key
left join crosswalk as agency_successor
    on agency_successor.gso63_province_key = dossiers.agency_province_key
