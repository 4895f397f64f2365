-- published: the dossier processing indicators (SPEC 3.1) per agency, province (both code
-- systems) and nation, per month, quarter and year. A view: it always shows the monthly
-- partitions as last materialised, whole.
{{ config(materialized='view', tags=['monthly']) }}

with indicators as (

    select * from {{ ref('fct_dossier_indicators_monthly') }}

)

select
    period_type,
    period_start,
    period_end,
    unit_type,
    code_system,
    unit_key,
    unit_name,
    province_key,
    region_code,
    agency_level,
    is_mapped_forward,
    {%- for column in dossier_count_columns() %}
    {{ column }},
    {%- endfor %}
    on_time_rate,
    early_rate,
    late_rate,
    late_with_apology_share,
    on_time_over_received_rate,
    in_progress_overdue_share,
    online_share,
    full_online_share,
    postal_share,
    online_provision_rate,
    online_payment_rate,
    digitisation_rate,
    reuse_rate,
    electronic_result_rate,
    complaint_or_dissatisfied_rate,
    handling_satisfaction_rate,
    closed_at_due_minute_share,
    supplement_on_last_day_share,
    avg_legal_time_used_share

from indicators
