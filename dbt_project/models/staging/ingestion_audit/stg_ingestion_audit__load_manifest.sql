-- one row per distinct input file (by content hash) with its row accounting
with source_manifest as (

    select * from {{ source('ingestion_audit', 'load_manifest') }}

)

select
    file_sha256,
    source_file,
    family,
    status,
    reason,
    rows_in,
    rows_loaded,
    rows_quarantined,
    rows_new,
    loaded_at,
    seconds as load_seconds

from source_manifest
