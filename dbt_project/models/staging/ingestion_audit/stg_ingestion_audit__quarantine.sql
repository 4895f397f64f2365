-- one row per input row (or whole file) rejected at ingestion, with its reason
with source_quarantine as (

    select * from {{ source('ingestion_audit', 'quarantine') }}

)

select
    file_sha256,
    source_file,
    family,
    source_row,
    field,
    reason,
    raw_value,
    quarantined_at

from source_quarantine
