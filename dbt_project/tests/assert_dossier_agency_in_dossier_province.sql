-- a dossier's agency belongs to the dossier's province (same province key); warns, the lifecycle decides what to do
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_dossier_portal__records'}}}) }}

select
    records.dossier_version_key,
    records.province_key as dossier_province_key,
    agencies.province_key as agency_province_key
from {{ ref('stg_dossier_portal__records') }} as records
inner join {{ ref('dim_agency') }} as agencies
    on agencies.agency_key = records.agency_code
where agencies.province_key <> records.province_key
