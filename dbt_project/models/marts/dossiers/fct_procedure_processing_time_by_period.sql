-- average processing time per procedure in the procedure's own unit (working days, days, hours
-- or months), per unit and period; only dossiers processed in the period, applicant waits excluded
{{ config(unique_key=['period_type', 'period_start', 'unit_type', 'code_system', 'unit_key', 'procedure_code']) }}

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

reporting_units as (

    select * from {{ ref('int_dossier__reporting_units') }}

),

units as (

    -- each agency's processing times in every unit it reports to (the map is joined once)
    select
        agency_procedure_periods.period_type,
        agency_procedure_periods.period_start,
        agency_procedure_periods.period_end,
        agency_procedure_periods.procedure_code,
        reporting_units.unit_type,
        reporting_units.code_system,
        reporting_units.unit_key,
        reporting_units.province_key,
        reporting_units.is_mapped_forward_before_merger
            and agency_procedure_periods.period_start < date '{{ var("merger_date") }}'
            as is_mapped_forward,
        sum(agency_procedure_periods.processed_count) as processed_count,
        sum(agency_procedure_periods.processing_time_sum) as processing_time_sum

    from agency_procedure_periods
    inner join reporting_units
        on reporting_units.agency_code = agency_procedure_periods.agency_code
    where not reporting_units.is_gso63_series
        or agency_procedure_periods.period_end <= date '{{ var("merger_date") }}'
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9

)

select
    cast(units.period_type as {{ dbt.type_string() }}) as period_type,
    cast(units.period_start as date) as period_start,
    cast(units.period_end as date) as period_end,
    cast(units.unit_type as {{ dbt.type_string() }}) as unit_type,
    cast(units.code_system as {{ dbt.type_string() }}) as code_system,
    cast(units.unit_key as {{ dbt.type_string() }}) as unit_key,
    cast(units.province_key as {{ dbt.type_string() }}) as province_key,
    cast(units.is_mapped_forward as boolean) as is_mapped_forward,
    cast(units.procedure_code as {{ dbt.type_string() }}) as procedure_code,
    cast(procedures.legal_time_value as integer) as legal_time_value,
    cast(procedures.legal_time_unit as {{ dbt.type_string() }}) as legal_time_unit,
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
