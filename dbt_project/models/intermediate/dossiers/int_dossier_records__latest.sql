-- the latest known version of each dossier: highest version, then latest update, then latest load.
-- Incremental (macros/dossier_increments.sql): a dossier with versions loaded since the last
-- build puts them against the latest row it had, which had already beaten its older versions.
{{ config(**dossier_incremental('dossier_id')) }}

{%- set columns = [
    'dossier_version_key', 'dossier_id', 'version', 'procedure_code', 'field_code', 'agency_code',
    'agency_code_system', 'province_code', 'code_system', 'province_key', 'level', 'channel_code',
    'submitted_at', 'submitted_on', 'received_at', 'due_at', 'processing_ended_at',
    'result_returned_at', 'updated_at', 'status_code', 'paid_online_code', 'fee_list_json',
    'has_digitised_component', 'is_digitised', 'is_reused_from_national_store', 'result_code',
    'result_file_url', 'is_vneid_authenticated', 'rating_code', 'has_complaint', 'synced_at',
    'has_certified_copy', 'uses_population_data', 'is_shared_to_personal_store',
    'applicant_name_hmac', 'applicant_national_id_hmac', 'applicant_phone_hmac', '_source_file',
    '_source_row', '_file_sha256', '_loaded_at'] %}

with record_versions as (

    select * from {{ ref('stg_dossier_portal__records') }}
    {%- if is_incremental() %}
    where _loaded_at > {{ loaded_through('records_loaded_at') }}
    {%- endif %}

),

candidates as (

    select
        {{ columns | join(', ') }},
        1 as versions,
        _loaded_at as versions_loaded_at

    from record_versions
    {%- if is_incremental() %}

    union all

    -- the latest row each changed dossier had, standing for the versions it already beat
    select
        {%- for column in columns %}
        latest.{{ column }},
        {%- endfor %}
        latest.versions_seen,
        latest.records_loaded_at

    from {{ this }} as latest
    where latest.dossier_id in (select dossier_id from record_versions)
    {%- endif %}

),

-- one window over the candidates' every column. Ranking the key columns alone and joining the
-- winners back to their rows was faster at 1 M dossiers but not at 10 M (168 s against 133 s),
-- and once ran out of DuckDB's memory limit there: the candidates, read twice, are materialised
ranked as (

    select
        *,
        row_number() over (
            partition by dossier_id
            -- a re-sent file can repeat a version; the later update (then the later load) wins
            order by version desc, updated_at desc nulls last, _loaded_at desc, _source_row desc
        ) as version_rank,
        cast(sum(versions) over (partition by dossier_id) as bigint) as versions_seen_total,
        max(versions_loaded_at) over (partition by dossier_id) as records_loaded_at_total

    from candidates

)

select
    {{ columns | join(', ') }},
    versions_seen_total as versions_seen,
    records_loaded_at_total as records_loaded_at

from ranked
where version_rank = 1
