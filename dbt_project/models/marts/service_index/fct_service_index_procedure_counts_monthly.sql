-- per unit and month, the counts of the service index that are about procedures rather than
-- dossiers (SPEC 3.2): the unit's fee-bearing procedures, those of them its dossiers were for
-- and those with a dossier paid online (online payment C and B); the procedures its dossiers
-- were for and those connected to the population database; the procedures it announced, on
-- time, made public on time and with every component. Procedures are counted once per unit, so
-- a province is counted from its dossiers and announcements, never summed from its agencies.
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key']) }}

with unit_months as (

    -- the units and months the index scores
    select * from {{ ref('fct_dossier_indicators_by_period') }}
    where period_type = 'month'
        and unit_type in ('province', 'agency')
        and {{ partition_overlaps('period_start', 'period_end') }}

),

lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}
    where is_received

),

dossier_units as (

    select * from {{ ref('int_dossier__reporting_units') }}

),

agency_units as (

    select * from {{ ref('int_reference__agency_reporting_units') }}

),

procedures as (

    select * from {{ ref('int_reference__procedures') }}

),

announcements as (

    select * from {{ ref('stg_csdl_tthc__announcements') }}

),

calendar as (

    select * from {{ ref('int_reference__working_days') }}

),

rules as (

    select * from {{ ref('service_index_rules') }}

),

unit_dossier_procedures as (

    -- each procedure the unit's dossiers received in the month were for, once
    select
        unit_months.period_start,
        unit_months.unit_type,
        unit_months.code_system,
        unit_months.unit_key,
        lifecycle.procedure_code,
        bool_or(lifecycle.is_paid_online) as has_online_payment

    from lifecycle
    inner join dossier_units
        on dossier_units.agency_code = lifecycle.agency_code
    inner join unit_months
        on unit_months.unit_type = dossier_units.unit_type
        and unit_months.code_system = dossier_units.code_system
        and unit_months.unit_key = dossier_units.unit_key
        and lifecycle.received_at >= cast(unit_months.period_start as timestamp)
        and lifecycle.received_at < cast(unit_months.period_end as timestamp)
    where not dossier_units.is_gso63_series
        or unit_months.period_end <= date '{{ var("merger_date") }}'
    group by unit_months.period_start, unit_months.unit_type, unit_months.code_system,
        unit_months.unit_key, lifecycle.procedure_code

),

unit_levels as (

    -- the levels a unit works at: those of its own agencies (a gso34 province: its
    -- departments and communes, not the districts of the provinces it absorbed)
    select distinct unit_type, code_system, unit_key, level
    from agency_units
    where agency_code_system = code_system

),

unit_fee_procedures as (

    -- the fee-bearing procedures of the catalogue handled at one of the unit's levels
    select distinct
        unit_levels.unit_type,
        unit_levels.code_system,
        unit_levels.unit_key,
        procedures.procedure_code

    from unit_levels
    inner join procedures
        on procedures.is_fee_bearing
        and ((unit_levels.level = 'tinh' and procedures.is_handled_at_province)
            or (unit_levels.level = 'huyen' and procedures.is_handled_at_district)
            or (unit_levels.level = 'xa' and procedures.is_handled_at_commune))

),

fee_procedure_totals as (

    select unit_type, code_system, unit_key, count(*) as fee_procedures
    from unit_fee_procedures
    group by unit_type, code_system, unit_key

),

dossier_procedure_totals as (

    select
        unit_dossier_procedures.period_start,
        unit_dossier_procedures.unit_type,
        unit_dossier_procedures.code_system,
        unit_dossier_procedures.unit_key,
        count(*) as procedures_with_dossiers,
        count(procedures.is_population_db_connected) as procedures_with_connection_known,
        count(*) filter (where procedures.is_population_db_connected)
            as connected_procedures_with_dossiers,
        count(fee.procedure_code) as fee_procedures_with_dossiers,
        count(fee.procedure_code) filter (where unit_dossier_procedures.has_online_payment)
            as fee_procedures_paid_online

    from unit_dossier_procedures
    left join procedures
        on procedures.procedure_code = unit_dossier_procedures.procedure_code
    left join unit_fee_procedures as fee
        on fee.unit_type = unit_dossier_procedures.unit_type
        and fee.code_system = unit_dossier_procedures.code_system
        and fee.unit_key = unit_dossier_procedures.unit_key
        and fee.procedure_code = unit_dossier_procedures.procedure_code
    group by unit_dossier_procedures.period_start, unit_dossier_procedures.unit_type,
        unit_dossier_procedures.code_system, unit_dossier_procedures.unit_key

),

announcement_rules as (

    select
        max(case when rule = 'announcement_lead' then value end) as lead_working_days,
        max(case when rule = 'publication_delay' then value end) as publication_working_days,
        max(case when rule = 'components_required' then value end) as components_required

    from rules

),

announcements_judged as (

    -- on time: decided no later than the lead's working days before the legal basis takes
    -- effect (the effective day counts itself when it is a working day; otherwise the count
    -- starts from the last working day before it); made public on time: no later than the
    -- day the publication delay's working days after the decision; complete: every component
    select
        announcements.agency_code,
        cast({{ dbt.date_trunc('month', 'announcements.decided_on') }} as date) as period_start,
        decided_day.working_day_number
            <= effective_day.working_day_number - rules.lead_working_days
                + case when effective_day.is_working_day then 0 else 1 end
            as is_announced_on_time,
        coalesce(cast(announcements.made_public_at as date) <= public_deadline.calendar_date,
                 false) as is_made_public_on_time,
        coalesce(announcements.components_published >= rules.components_required, false)
            as is_published_complete

    from announcements
    cross join announcement_rules as rules
    left join calendar as decided_day
        on decided_day.calendar_date = announcements.decided_on
    left join calendar as effective_day
        on effective_day.calendar_date = announcements.legal_basis_effective_on
    left join calendar as public_deadline
        on public_deadline.is_working_day
        and public_deadline.working_day_number
            = decided_day.working_day_number + rules.publication_working_days

),

announcement_totals as (

    -- each agency's announcements in every unit it counts in
    select
        announcements_judged.period_start,
        agency_units.unit_type,
        agency_units.code_system,
        agency_units.unit_key,
        count(*) as announced,
        count(*) filter (where announcements_judged.is_announced_on_time) as announced_on_time,
        count(*) filter (where announcements_judged.is_made_public_on_time) as made_public_on_time,
        count(*) filter (where announcements_judged.is_published_complete) as published_complete

    from announcements_judged
    inner join agency_units
        on agency_units.agency_code = announcements_judged.agency_code
    where not agency_units.is_gso63_series
        or announcements_judged.period_start < date '{{ var("merger_date") }}'
    group by announcements_judged.period_start, agency_units.unit_type, agency_units.code_system,
        agency_units.unit_key

),

announcements_loaded as (

    -- without any announcement loaded chiso does not measure them (never "none, so 0")
    select count(*) > 0 as has_announcements from announcements

)

select
    {{ unit_month_columns('unit_months') }},
    cast(coalesce(fee_totals.fee_procedures, 0) as bigint) as fee_procedures,
    cast(coalesce(dossier_totals.fee_procedures_with_dossiers, 0) as bigint)
        as fee_procedures_with_dossiers,
    cast(coalesce(dossier_totals.fee_procedures_paid_online, 0) as bigint)
        as fee_procedures_paid_online,
    cast(coalesce(dossier_totals.procedures_with_dossiers, 0) as bigint) as procedures_with_dossiers,
    cast(coalesce(dossier_totals.procedures_with_connection_known, 0) as bigint)
        as procedures_with_connection_known,
    cast(coalesce(dossier_totals.connected_procedures_with_dossiers, 0) as bigint)
        as connected_procedures_with_dossiers,
    -- null: no announcement was loaded at all (not measured)
    cast(case when loaded.has_announcements then coalesce(announced.announced, 0) end as bigint)
        as announced,
    cast(case when loaded.has_announcements then coalesce(announced.announced_on_time, 0) end
        as bigint) as announced_on_time,
    cast(case when loaded.has_announcements then coalesce(announced.made_public_on_time, 0) end
        as bigint) as made_public_on_time,
    cast(case when loaded.has_announcements then coalesce(announced.published_complete, 0) end
        as bigint) as published_complete

from unit_months
cross join announcements_loaded as loaded
left join fee_procedure_totals as fee_totals
    on fee_totals.unit_type = unit_months.unit_type
    and fee_totals.code_system = unit_months.code_system
    and fee_totals.unit_key = unit_months.unit_key
left join dossier_procedure_totals as dossier_totals
    on {{ same_unit_month('dossier_totals', 'unit_months') }}
left join announcement_totals as announced
    on {{ same_unit_month('announced', 'unit_months') }}
