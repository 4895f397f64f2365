-- status events of each dossier in the order they happened, with what each one means for the lifecycle.
-- Incremental (macros/dossier_increments.sql): the dossiers with events loaded since the last
-- build are numbered again, whole, from their earlier events and the new ones.
{{ config(tags=['dossier_lifecycle'], **dossier_incremental('event_id')) }}

{%- set columns = ['event_id', 'dossier_id', 'event_type', 'event_at', 'event_on', 'status_code',
                   'agency_code', 'new_due_at', '_loaded_at', '_source_row'] %}

with new_events as (

    select {{ columns | join(', ') }}
    from {{ ref('stg_dossier_portal__events') }}
    {%- if is_incremental() %}
    where _loaded_at > {{ loaded_through('_loaded_at') }}
    {%- endif %}

),

{%- if is_incremental() %}

changed_dossiers as (

    -- the dossiers with a new event, and those an event sent again used to belong to
    select dossier_id from new_events
    union
    select ordered.dossier_id
    from {{ this }} as ordered
    where ordered.event_id in (select event_id from new_events)

),

{%- endif %}

events as (

    select * from new_events
    {%- if is_incremental() %}

    union all

    select {{ columns | join(', ') }}
    from {{ this }}
    where dossier_id in (select dossier_id from changed_dossiers)
    {%- endif %}

),

latest_copies as (

    -- an event sent again with another moment is a correction: the later load wins
    select *
    from (
        select
            *,
            row_number() over (
                partition by event_id order by _loaded_at desc, _source_row desc
            ) as copy_rank
        from events
    ) as copies
    where copy_rank = 1

),

classified as (

    select
        event_id,
        dossier_id,
        event_type,
        event_at,
        event_on,
        status_code,
        agency_code,
        new_due_at,
        -- ties on the clock keep the natural order of a dossier's life (received before
        -- transferred before processed before returned)
        case event_type
            when 'TIEP_NHAN' then 1
            when 'CHUYEN_XU_LY' then 2
            when 'YEU_CAU_BO_SUNG' then 3
            when 'HOAN_THANH_BO_SUNG' then 4
            when 'XIN_LOI_HEN_LAI' then 5
            when 'DA_TRA_KET_QUA' then 7
            else 6
        end as event_type_order,
        -- the events that end processing (SPEC 3.1), and the outcome each one means
        case event_type
            when 'DA_XU_LY' then 'processed'
            when 'DA_TRA_KET_QUA' then 'processed'
            when 'TU_CHOI' then 'refused'
            when 'RUT_HO_SO' then 'withdrawn'
            when 'DUNG_XU_LY' then 'stopped'
        end as ending_outcome,
        -- when several end it, the portal's priority (SPEC 3.1): processed, then result
        -- returned, then stopped or refused, then withdrawn
        case event_type
            when 'DA_XU_LY' then 1
            when 'DA_TRA_KET_QUA' then 2
            when 'DUNG_XU_LY' then 3
            when 'TU_CHOI' then 3
            when 'RUT_HO_SO' then 4
        end as ending_priority,
        _loaded_at,
        _source_row

    from latest_copies

)

select
    event_id,
    dossier_id,
    row_number() over (
        partition by dossier_id
        order by event_at, event_type_order, event_id
    ) as event_seq,
    event_type,
    event_at,
    event_on,
    status_code,
    agency_code,
    new_due_at,
    ending_outcome,
    ending_priority,
    ending_outcome is not null as is_ending_event,
    _loaded_at,
    _source_row

from classified
