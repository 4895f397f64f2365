-- one row per citizen petition (phản ánh, kiến nghị), typed and named
with source_petitions as (

    select * from {{ source('petitions', 'petitions') }}

)

select
    petition_id,
    trim(agency_code) as agency_code,
    received_at,
    classification,
    due_at,
    handled_at,
    outcome,
    published_at,
    rating,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_petitions
