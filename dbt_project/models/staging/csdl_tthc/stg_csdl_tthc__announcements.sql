-- one row per decision announcing a procedure (quyết định công bố TTHC), with when it was made
-- public on the national portal and how many of its components were published
with source_announcements as (

    select * from {{ source('csdl_tthc', 'announcements') }}

)

select
    {{ dbt.concat(["trim(decision_number)", "'|'", "trim(procedure_code)", "'|'", "trim(agency_code)"]) }}
        as announcement_key,
    trim(agency_code) as agency_code,
    trim(procedure_code) as procedure_code,
    trim(decision_number) as decision_number,
    decided_on,
    legal_basis_effective_on,
    made_public_at,
    components_published,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_announcements
