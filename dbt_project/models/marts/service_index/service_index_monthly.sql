-- published: the real-time service index per province (both code systems) and agency, per month,
-- with the configuration version it used. A view over the monthly partitions.
{{ config(materialized='view', pre_hook=[]) }}

with scores as (

    select * from {{ ref('fct_service_index_monthly') }}

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
    band_name

from scores
