-- one row per state change of a dossier, typed
with source_events as (

    select * from {{ source('dossier_portal', 'events') }}

),

renamed as (

    select
        trim(event_id) as event_id,
        trim(dossier_id) as dossier_id,
        upper(trim(event_type)) as event_type,
        event_at,
        cast(event_at as date) as event_on,
        {{ clean_text('status_code') }} as status_code,
        trim(agency_code) as agency_code,
        {{ agency_code_system('trim(agency_code)') }} as agency_code_system,
        {{ clean_text('handler_code') }} as handler_code,
        -- only set on an apology with a new due date (XIN_LOI_HEN_LAI)
        new_due_at,
        {{ clean_text('note') }} as note,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_events

)

select * from renamed
