-- average processing time per procedure in the procedure's own unit (working days, days, hours
-- or months), per unit and period; only dossiers processed in the period, applicant waits excluded
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['period_type', 'period_start', 'unit_type', 'code_system', 'unit_key', 'procedure_code'],
    on_schema_change='fail',
    tags=['monthly'],
    pre_hook="{{ delete_partition_periods() }}"
) }}

with periods as (

    select * from {{ ref('int_dossier__period_spine') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

processed as (

    select * from {{ ref('int_dossier__lifecycle') }}
    where is_received
        and outcome = 'processed'
        and processing_time_in_unit is not null

),

procedures as (

    select * from {{ ref('dim_procedure') }}

),

agency_procedure_periods as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        processed.agency_code,
        processed.agency_province_key as province_key,
        processed.agency_code_system as code_system,
        processed.agency_province_key_gso34 as province_key_gso34,
        processed.procedure_code,
        count(*) as processed_count,
        sum(processed.processing_time_in_unit) as processing_time_sum

    from processed
    inner join periods
        on processed.closed_at >= cast(periods.period_start as timestamp)
        and processed.closed_at < cast(periods.period_end as timestamp)
    group by periods.period_type, periods.period_start, periods.period_end, processed.agency_code,
        processed.agency_province_key, processed.agency_code_system,
        processed.agency_province_key_gso34, processed.procedure_code

),

units as (

    {{ unit_rollup('agency_procedure_periods', ['processed_count', 'processing_time_sum'],
                   keys=['procedure_code']) }}

)

select
    cast(units.period_type as varchar) as period_type,
    cast(units.period_start as date) as period_start,
    cast(units.period_end as date) as period_end,
    cast(units.unit_type as varchar) as unit_type,
    cast(units.code_system as varchar) as code_system,
    cast(units.unit_key as varchar) as unit_key,
    cast(units.province_key as varchar) as province_key,
    cast(units.is_mapped_forward as boolean) as is_mapped_forward,
    cast(units.procedure_code as varchar) as procedure_code,
    cast(procedures.legal_time_value as integer) as legal_time_value,
    cast(procedures.legal_time_unit as varchar) as legal_time_unit,
    cast(units.processed_count as bigint) as processed_count,
    cast(units.processing_time_sum as decimal(18, 6)) as processing_time_sum,
    cast({{ safe_divide('units.processing_time_sum', 'units.processed_count') }} as double)
        as avg_processing_time,
    cast({{ safe_divide('units.processing_time_sum',
                        'units.processed_count * procedures.legal_time_value') }} as double)
        as avg_legal_time_used_share

from units
left join procedures
    on procedures.procedure_code = units.procedure_code
