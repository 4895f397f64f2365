-- every supplement request of every dossier, with when the clock resumed (SPEC 3.1: time waiting
-- for the applicant is not counted against the agency).
-- Incremental (macros/dossier_increments.sql): the requests of the dossiers with rows loaded
-- since the last build are found again, whole; the pre-hook removes their old ones first.
-- depends_on: {{ ref('stg_dossier_portal__events') }}
{{ config(tags=['dossier_lifecycle'],
          pre_hook="{{ delete_loaded_dossiers('_loaded_at', or_last_build=true) }}",
          **dossier_incremental('dossier_id')) }}

with
{%- if is_incremental() %}

changed_dossiers as (

    {{ dossiers_loaded_after(loaded_through('_loaded_at', or_last_build=true)) }}

),
{%- endif %}

events as (

    select * from {{ ref('int_dossier__events_ordered') }}
    {%- if is_incremental() %}
    where dossier_id in (select dossier_id from changed_dossiers)
    {%- endif %}

),

record_versions as (

    select * from {{ ref('stg_dossier_portal__records') }}
    {%- if is_incremental() %}
    where dossier_id in (select dossier_id from changed_dossiers)
    {%- endif %}

),

dossier_loads as (

    -- the newest load of each dossier's rows: the model's watermark
    select dossier_id, max(_loaded_at) as loaded_at
    from (
        select dossier_id, _loaded_at from events
        union all
        select dossier_id, _loaded_at from record_versions
    ) as loads
    group by dossier_id

),

dossiers_with_events as (

    select distinct dossier_id from events

),

-- dossiers whose system exports events: the request and its completion are both logged
event_requests as (

    select
        dossier_id,
        event_at as requested_at,
        lead(event_at) over (partition by dossier_id order by event_seq) as next_request_at

    from events
    where event_type = 'YEU_CAU_BO_SUNG'

),

event_completions as (

    select dossier_id, event_at as completed_at
    from events
    where event_type = 'HOAN_THANH_BO_SUNG'

),

event_pauses as (

    select
        requests.dossier_id,
        requests.requested_at,
        -- the first completion after the request and before the next request answers it
        min(completions.completed_at) as completed_at,
        requests.next_request_at

    from event_requests as requests
    left join event_completions as completions
        on completions.dossier_id = requests.dossier_id
        and completions.completed_at >= requests.requested_at
        and (requests.next_request_at is null
             or completions.completed_at <= requests.next_request_at)
    group by requests.dossier_id, requests.requested_at, requests.next_request_at

),

-- dossiers known only by their record versions: a request is a version in status 5, and the
-- portal sends no version when the applicant supplements, so the pause is taken to last
-- until the next version of any status (an estimate, flagged)
records_only_versions as (

    select versions.dossier_id, versions.version, versions.updated_at, versions.status_code
    from record_versions as versions
    left join dossiers_with_events
        on dossiers_with_events.dossier_id = versions.dossier_id
    where dossiers_with_events.dossier_id is null
        and versions.updated_at is not null

),

record_requests as (

    -- a version re-sent with the same status and clock is the same request
    select dossier_id, min(version) as version, updated_at as requested_at
    from records_only_versions
    where status_code = '5'
    group by dossier_id, updated_at

),

record_pauses as (

    select
        requests.dossier_id,
        requests.requested_at,
        min(later.updated_at) as next_version_at

    from record_requests as requests
    left join records_only_versions as later
        on later.dossier_id = requests.dossier_id
        and later.version > requests.version
        and later.updated_at > requests.requested_at
    group by requests.dossier_id, requests.requested_at

),

pauses as (

    select
        dossier_id,
        'events' as lifecycle_source,
        requested_at,
        completed_at,
        coalesce(completed_at, next_request_at) as resumed_at,
        case
            when completed_at is not null then 'completion'
            when next_request_at is not null then 'next_request'
        end as resume_source

    from event_pauses

    union all

    select
        dossier_id,
        'records' as lifecycle_source,
        requested_at,
        cast(null as timestamp) as completed_at,
        next_version_at as resumed_at,
        case when next_version_at is not null then 'next_version' end as resume_source

    from record_pauses

),

numbered as (

    select
        *,
        row_number() over (partition by dossier_id order by requested_at) as request_seq

    from pauses

)

select
    dossier_id || ':' || cast(request_seq as {{ dbt.type_string() }}) as supplement_key,
    dossier_id,
    request_seq,
    lifecycle_source,
    requested_at,
    cast(requested_at as date) as requested_on,
    completed_at,
    -- null while the applicant has not supplemented: the clock stays stopped until the dossier
    -- ends (or, for an open dossier, until the moment it is judged)
    resumed_at,
    -- the wait when it is over; a pending one is measured against the end or the judging moment
    {{ dbt.datediff('requested_at', 'resumed_at', 'second') }} as wait_seconds,
    coalesce(resume_source, 'pending') as resume_source,
    -- only a logged completion gives the exact wait
    coalesce(resume_source, 'pending') <> 'completion' as is_wait_estimated,
    loaded_at as _loaded_at

from numbered
inner join dossier_loads using (dossier_id)
