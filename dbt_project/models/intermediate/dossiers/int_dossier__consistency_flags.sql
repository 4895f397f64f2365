-- the dossiers set aside by the consistency checks (SPEC 4, layer 2), one row per dossier and
-- check with its reason: rows that each kept their contract but together cannot be true. The
-- lifecycle leaves these dossiers out, so that a handful of them never stops a run nor skews a
-- rate, and they are listed here for the stewards (the run fails only when a unit's share of
-- them passes the threshold of ingestion/plausibility.toml). Moments are the earliest evidence
-- of each in the status events and the record versions, as the lifecycle takes them.
-- Incremental (macros/dossier_increments.sql): the dossiers with rows loaded since the last
-- build are checked again, whole; the pre-hook removes their old flags first, so a dossier its
-- new rows make consistent keeps none. The flagged dossiers' own newest load lags behind after
-- nights without a new flag: the last build's watermark moves it up.
-- depends_on: {{ ref('stg_dossier_portal__events') }}
{{ config(tags=['dossier_lifecycle'],
          pre_hook="{{ delete_loaded_dossiers('last_loaded_at', or_last_build=true) }}",
          **dossier_incremental('dossier_id')) }}

with
{%- if is_incremental() %}

changed_dossiers as (

    {{ dossiers_loaded_after(loaded_through('last_loaded_at', or_last_build=true)) }}

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

agencies as (

    select * from {{ ref('int_reference__agencies') }}

),

event_moments as (

    select
        dossier_id,
        min(event_at) as first_event_at,
        min_by(event_type, event_seq) as first_event_type,
        min(event_at) filter (where event_type = 'TIEP_NHAN') as received_at,
        -- processed, refused, withdrawn, stopped or returned
        min(event_at) filter (where is_ending_event) as ended_at,
        min(event_at) filter (where event_type = 'DA_XU_LY') as processed_at,
        min(event_at) filter (where event_type = 'DA_TRA_KET_QUA') as returned_at,
        min_by(agency_code, event_seq) as agency_code,
        max(_loaded_at) as loaded_at

    from events
    group by dossier_id

),

record_moments as (

    select
        dossier_id,
        min(submitted_at) as submitted_at,
        min(received_at) as received_at,
        least(min(processing_ended_at), min(result_returned_at)) as ended_at,
        min(processing_ended_at) filter (where status_code in ('9', '10')) as processed_at,
        min(result_returned_at) as returned_at,
        min_by(agency_code, version) as agency_code,
        min_by(province_key, version) as province_key,
        max(_loaded_at) as loaded_at

    from record_versions
    group by dossier_id

),

moments as (

    select
        coalesce(event_moments.dossier_id, record_moments.dossier_id) as dossier_id,
        record_moments.dossier_id is not null as has_records,
        coalesce(record_moments.agency_code, event_moments.agency_code) as agency_code,
        record_moments.province_key,
        record_moments.submitted_at,
        event_moments.first_event_at,
        event_moments.first_event_type,
        least(event_moments.received_at, record_moments.received_at) as received_at,
        least(event_moments.ended_at, record_moments.ended_at) as ended_at,
        least(event_moments.processed_at, record_moments.processed_at) as processed_at,
        least(event_moments.returned_at, record_moments.returned_at) as returned_at,
        greatest(event_moments.loaded_at, record_moments.loaded_at) as last_loaded_at

    from event_moments
    full outer join record_moments
        on record_moments.dossier_id = event_moments.dossier_id

),

flags as (

    select
        dossier_id, agency_code, province_key, last_loaded_at,
        'ended_before_received' as check_code,
        ended_at as earlier_at,
        received_at as later_at,
        'processing ended (or the result was returned) before the dossier was received'
            as reason
    from moments
    where ended_at < received_at

    union all

    select
        dossier_id, agency_code, province_key, last_loaded_at,
        'returned_before_processed',
        returned_at,
        processed_at,
        'the result was returned before processing ended'
    from moments
    where returned_at < processed_at

    union all

    select
        dossier_id, agency_code, province_key, last_loaded_at,
        'event_before_submission',
        first_event_at,
        submitted_at,
        {{ dbt.concat(["'an event ('", 'first_event_type', "') before the dossier was submitted'"]) }}
    from moments
    where first_event_at < submitted_at

    union all

    -- a dossier known only by its events, from an agency the agency list does not have: no
    -- unit to count it in
    select
        moments.dossier_id, moments.agency_code, moments.province_key, moments.last_loaded_at,
        'unknown_agency_events_only',
        cast(null as timestamp),
        cast(null as timestamp),
        'events only, from an agency missing from the agency list'
    from moments
    left join agencies
        on agencies.agency_key = moments.agency_code
    where not moments.has_records
        and agencies.agency_key is null

)

select
    {{ dbt.concat(['flags.dossier_id', "':'", 'flags.check_code']) }} as flag_key,
    flags.dossier_id,
    flags.check_code,
    {{ dbt.concat(["'inconsistent: '", 'flags.reason']) }} as reason,
    flags.earlier_at,
    flags.later_at,
    flags.agency_code,
    coalesce(flags.province_key, agencies.province_key) as province_key,
    flags.last_loaded_at

from flags
left join agencies
    on agencies.agency_key = flags.agency_code
