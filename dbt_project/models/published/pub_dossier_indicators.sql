-- published: the dossier processing indicators, released units and periods only (a unit
-- withheld for a month is withheld in that month and in the quarter and year containing it)
{{ config(alias='dossier_indicators') }}

with indicators as (

    select * from {{ ref('dossier_indicators') }}

),

flags as (

    {{ publication_flags('indicators',
                         ['period_type', 'period_start', 'unit_type', 'code_system', 'unit_key'],
                         'unit_key', 'period_start', 'period_end',
                         ['dossier_indicators', 'service_index']) }}

),

released as (

    select indicators.*, flags.quality_flags
    from indicators
    left join flags
        on flags.period_type = indicators.period_type
        and flags.period_start = indicators.period_start
        and flags.unit_type = indicators.unit_type
        and flags.code_system = indicators.code_system and flags.unit_key = indicators.unit_key
    where not coalesce(flags.is_withheld, false)

)

select
    released.period_type,
    released.period_start,
    released.period_end,
    released.unit_type,
    released.code_system,
    released.unit_key,
    released.unit_name,
    released.province_key,
    released.region_code,
    released.agency_level,
    released.is_mapped_forward,
    released.received_count,
    released.carried_over_count,
    released.to_process_count,
    released.processed_count,
    released.processed_early_count,
    released.processed_on_time_count,
    released.processed_late_count,
    released.processed_unjudged_count,
    released.refused_count,
    released.stopped_count,
    released.withdrawn_count,
    released.in_progress_end_count,
    released.in_progress_overdue_count,
    released.in_progress_due_soon_count,
    released.in_progress_not_yet_due_count,
    released.in_progress_due_unknown_count,
    released.late_with_apology_count,
    released.late_with_any_apology_count,
    released.late_apology_known_count,
    released.received_online_count,
    released.received_full_online_count,
    released.received_postal_count,
    released.received_online_procedure_count,
    released.received_fee_bearing_count,
    released.received_fee_bearing_paid_online_count,
    released.received_digitised_count,
    released.received_with_digitised_component_count,
    released.received_reused_count,
    released.received_due_inconsistent_count,
    released.processed_electronic_result_count,
    released.processed_rated_count,
    released.processed_dissatisfied_count,
    released.processed_complaint_count,
    released.processed_complaint_or_dissatisfied_count,
    released.processed_with_supplement_count,
    released.processed_second_supplement_count,
    released.processed_supplement_wait_estimated_count,
    released.processed_supplement_on_last_day_count,
    released.processed_closed_at_due_minute_count,
    released.processed_timed_count,
    released.on_time_rate,
    released.early_rate,
    released.late_rate,
    released.late_with_apology_share,
    released.in_progress_overdue_share,
    released.online_share,
    released.full_online_share,
    released.postal_share,
    released.online_provision_rate,
    released.online_payment_rate,
    released.digitisation_rate,
    released.reuse_rate,
    released.electronic_result_rate,
    released.complaint_or_dissatisfied_rate,
    released.handling_satisfaction_rate,
    released.closed_at_due_minute_share,
    released.supplement_on_last_day_share,
    released.avg_legal_time_used_share,
    'published' as publication_status,
    released.quality_flags

from released
