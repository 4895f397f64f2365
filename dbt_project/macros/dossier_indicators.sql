{#- Shared definitions of the dossier processing indicators (SPEC 3.1) and the service index. -#}

{#- A rate that is null, not zero, when its denominator is empty. -#}
{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) > 0 then cast({{ numerator }} as double) / ({{ denominator }}) end
{%- endmacro %}

{#- The additive counts of the monthly statistics: summed over agencies into provinces and
    the nation (never over periods: stocks are taken per period). -#}
{% macro dossier_count_columns() %}
    {{ return([
        'received_count', 'carried_over_count', 'to_process_count',
        'processed_count', 'processed_early_count', 'processed_on_time_count',
        'processed_late_count', 'processed_unjudged_count',
        'refused_count', 'stopped_count', 'withdrawn_count',
        'in_progress_end_count', 'in_progress_overdue_count', 'in_progress_due_soon_count',
        'in_progress_not_yet_due_count', 'in_progress_due_unknown_count',
        'late_with_apology_count', 'late_with_any_apology_count', 'late_apology_known_count',
        'received_online_count', 'received_full_online_count', 'received_postal_count',
        'received_online_procedure_count', 'received_fee_bearing_count',
        'received_fee_bearing_paid_online_count', 'received_digitised_count',
        'received_with_digitised_component_count', 'received_reused_count',
        'received_due_inconsistent_count',
        'processed_electronic_result_count', 'processed_rated_count',
        'processed_dissatisfied_count', 'processed_complaint_count',
        'processed_complaint_or_dissatisfied_count',
        'processed_with_supplement_count', 'processed_second_supplement_count',
        'processed_supplement_wait_estimated_count', 'processed_supplement_on_last_day_count',
        'processed_closed_at_due_minute_count', 'processed_timed_count',
    ]) }}
{% endmacro %}

{#- Sums (not counts) that roll up the same way. -#}
{% macro dossier_sum_columns() %}
    {{ return(['processed_legal_time_used_share_sum']) }}
{% endmacro %}

{#- The rates, recomputed from the counts at every level (never averaged). -#}
{% macro dossier_indicator_rates() -%}
    {{ safe_divide('processed_early_count + processed_on_time_count',
                   'processed_early_count + processed_on_time_count + processed_late_count') }} as on_time_rate,
    {{ safe_divide('processed_early_count',
                   'processed_early_count + processed_on_time_count + processed_late_count') }} as early_rate,
    {{ safe_divide('processed_late_count',
                   'processed_early_count + processed_on_time_count + processed_late_count') }} as late_rate,
    {{ safe_divide('late_with_apology_count', 'late_apology_known_count') }} as late_with_apology_share,
    {{ safe_divide('processed_early_count + processed_on_time_count', 'received_count') }} as on_time_over_received_rate,
    {{ safe_divide('in_progress_overdue_count', 'in_progress_end_count') }} as in_progress_overdue_share,
    {{ safe_divide('received_online_count', 'received_count') }} as online_share,
    {{ safe_divide('received_full_online_count', 'received_count') }} as full_online_share,
    {{ safe_divide('received_postal_count', 'received_count') }} as postal_share,
    {{ safe_divide('received_online_procedure_count', 'received_count') }} as online_provision_rate,
    {{ safe_divide('received_fee_bearing_paid_online_count', 'received_fee_bearing_count') }} as online_payment_rate,
    {{ safe_divide('received_digitised_count', 'received_count') }} as digitisation_rate,
    {{ safe_divide('received_reused_count', 'received_count') }} as reuse_rate,
    {{ safe_divide('processed_electronic_result_count', 'processed_count') }} as electronic_result_rate,
    {{ safe_divide('processed_complaint_or_dissatisfied_count', 'processed_count') }} as complaint_or_dissatisfied_rate,
    {{ safe_divide(service_index_metrics()['handling_satisfaction_rate'][0], 'processed_count') }} as handling_satisfaction_rate,
    {{ safe_divide('processed_closed_at_due_minute_count', 'processed_count') }} as closed_at_due_minute_share,
    {{ safe_divide('processed_supplement_on_last_day_count', 'processed_count') }} as supplement_on_last_day_share,
    {{ safe_divide('processed_legal_time_used_share_sum', 'processed_timed_count') }} as avg_legal_time_used_share
{%- endmacro %}

{#- The rates the service index may score, each as (numerator, denominator) over the monthly
    counts; a criterion's `rate_metric` in the configuration seed names one of them. -#}
{% macro service_index_metrics() %}
    {%- set judged = 'processed_early_count + processed_on_time_count + processed_late_count' -%}
    {{ return({
        'on_time_rate': ('processed_early_count + processed_on_time_count', judged),
        'on_time_over_received_rate': ('processed_early_count + processed_on_time_count', 'received_count'),
        'online_provision_rate': ('received_online_procedure_count', 'received_count'),
        'online_payment_rate': ('received_fee_bearing_paid_online_count', 'received_fee_bearing_count'),
        'online_share': ('received_online_count', 'received_count'),
        'digitisation_rate': ('received_digitised_count', 'received_count'),
        'electronic_result_rate': ('processed_electronic_result_count', 'processed_count'),
        'reuse_rate': ('received_reused_count', 'received_count'),
        'handling_satisfaction_rate': (
            'greatest(processed_count - processed_late_count - processed_complaint_or_dissatisfied_count, 0)',
            'processed_count'),
    }) }}
{% endmacro %}

{#- Agency rows of a relation rolled up to provinces and the nation under both code systems:
    gso63 only for periods that end by the merger; gso34 for every period, old provinces
    summed into their successor (counts summed, so rates recomputed, never averaged).
    `agency_rows` must have period_type, period_start, period_end, agency_code, code_system,
    province_key, province_key_gso34 and the measures; `keys` are extra grouping columns. -#}
{% macro unit_rollup(agency_rows, measures, keys=[]) -%}
    {%- set merger = "date '" ~ var('merger_date') ~ "'" -%}
    {%- set extra = (keys | join(', ') ~ ', ') if keys else '' -%}
    {%- set sums -%}
        {%- for m in measures %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- endset -%}

    select
        period_type, period_start, period_end, {{ extra }}
        'agency' as unit_type, code_system, agency_code as unit_key, province_key,
        false as is_mapped_forward,
        {{ sums }}
    from {{ agency_rows }}
    group by period_type, period_start, period_end, {{ extra }} code_system, agency_code, province_key

    union all

    select
        period_type, period_start, period_end, {{ extra }}
        'province' as unit_type, 'gso63' as code_system, province_key as unit_key, province_key,
        false as is_mapped_forward,
        {{ sums }}
    from {{ agency_rows }}
    where code_system = 'gso63' and period_end <= {{ merger }}
    group by period_type, period_start, period_end, {{ extra }} province_key

    union all

    select
        period_type, period_start, period_end, {{ extra }}
        'province' as unit_type, 'gso34' as code_system, province_key_gso34 as unit_key,
        province_key_gso34 as province_key,
        period_start < {{ merger }} as is_mapped_forward,
        {{ sums }}
    from {{ agency_rows }}
    group by period_type, period_start, period_end, {{ extra }} province_key_gso34

    union all

    select
        period_type, period_start, period_end, {{ extra }}
        'national' as unit_type, 'gso63' as code_system, 'VN' as unit_key,
        cast(null as varchar) as province_key,
        false as is_mapped_forward,
        {{ sums }}
    from {{ agency_rows }}
    where code_system = 'gso63' and period_end <= {{ merger }}
    group by period_type, period_start, period_end {{ (', ' ~ keys | join(', ')) if keys else '' }}

    union all

    select
        period_type, period_start, period_end, {{ extra }}
        'national' as unit_type, 'gso34' as code_system, 'VN' as unit_key,
        cast(null as varchar) as province_key,
        period_start < {{ merger }} as is_mapped_forward,
        {{ sums }}
    from {{ agency_rows }}
    group by period_type, period_start, period_end {{ (', ' ~ keys | join(', ')) if keys else '' }}
{%- endmacro %}
