-- every unit an agency's dossiers are counted in (SPEC 3, 8): the agency itself, its province
-- and the nation under each code system. gso63 units only for periods that end by the merger;
-- gso34 units for every period, old provinces mapped forward into their successor (counts are
-- summed into it, so its rates are recomputed, never averaged). The marts join this map once.
{{ config(tags=['dossier_lifecycle']) }}

with lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}

),

agencies as (

    -- an agency reports in one province (the lifecycle settles which)
    select distinct
        agency_code,
        agency_code_system as code_system,
        agency_province_key as province_key,
        agency_province_key_gso34 as province_key_gso34

    from lifecycle
    where is_received

),

units as (

    select
        agency_code, 'agency' as unit_type, code_system, agency_code as unit_key, province_key,
        false as is_gso63_series, false as is_mapped_forward_before_merger
    from agencies

    union all

    select
        agency_code, 'province', 'gso63', province_key, province_key,
        true, false
    from agencies
    where code_system = 'gso63'

    union all

    select
        agency_code, 'province', 'gso34', province_key_gso34, province_key_gso34,
        false, true
    from agencies

    union all

    select
        agency_code, 'national', 'gso63', 'VN', cast(null as {{ dbt.type_string() }}),
        true, false
    from agencies
    where code_system = 'gso63'

    union all

    select
        agency_code, 'national', 'gso34', 'VN', cast(null as {{ dbt.type_string() }}),
        false, true
    from agencies

)

select
    agency_code || '>' || unit_type || ':' || code_system as reporting_unit_key,
    agency_code,
    unit_type,
    code_system,
    unit_key,
    province_key,
    -- counted only in periods that end by the merger (the gso63 series stops there)
    is_gso63_series,
    -- periods that start before the merger are old units' counts mapped forward
    is_mapped_forward_before_merger

from units
