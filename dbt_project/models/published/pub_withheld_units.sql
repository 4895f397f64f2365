-- published: the units and periods the quality gate (or a steward) withheld, with the reason
-- a reader is shown ("không xếp hạng: dữ liệu bị nhiễu — …") and the decision that settled it
{{ config(alias='withheld_units') }}

with status as (

    select * from {{ ref('publication_status') }}
    where publication_status = 'withheld'

),

provinces as (

    select * from {{ ref('dim_province') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

)

select
    status.index_code,
    status.unit_type,
    status.unit_key,
    coalesce(provinces.province_name, agencies.agency_name, status.unit_key) as unit_name,
    status.code_system,
    status.period_type,
    status.period_start,
    status.reason,
    status.quality_flags,
    status.decision_ref

from status
left join provinces
    on status.unit_type = 'province' and provinces.province_key = status.unit_key
left join agencies
    on status.unit_type = 'agency' and agencies.agency_key = status.unit_key
