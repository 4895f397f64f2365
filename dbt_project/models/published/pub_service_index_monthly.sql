-- published: the real-time service index
{{ config(alias='service_index_monthly') }}
with released as (

    select * from {{ ref('service_index_monthly') }}

)

select
    period_start,
    period_end,
    unit_type,
    code_system,
    unit_key,
    unit_name,
    province_key,
    region_code,
    is_mapped_forward,
    version,
    publicity_points,
    progress_points,
    digitisation_points,
    online_services_points,
    satisfaction_points,
    online_payment_points,
    groups_not_applicable,
    total_score,
    total_score_rounded,
    rank_scope,
    rank,
    units_ranked,
    band_code,
    band_name,
    'published' as publication_status,
    cast(null as {{ dbt.type_string() }}) as quality_flags

from released
