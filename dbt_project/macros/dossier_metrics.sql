{#- The dossier processing indicators (SPEC 3.1), defined once: every count is a filter over a
    dossier's row in a period (`fct_dossier_processing_by_period` counts them per agency), and
    every rate is a (numerator, denominator) pair of those counts, recomputed at every level and
    period from summed counts, never averaged. A new count or rate is one entry here. -#}

{#- A rate that is null, not zero, when its denominator is empty. -#}
{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) > 0 then cast({{ numerator }} as double) / ({{ denominator }}) end
{%- endmacro %}

{#- The counts: name and the condition a dossier's period row meets to be counted. Flows are
    counted over the period, stocks at its start (carried over) and end (in progress): a count's
    `over_time` says how a quarter or year rolls it up from its months (macro
    dossier_count_over_months): `flow` (the default) sums them, `opening` takes the first
    month's, `closing` the last month's, a list sums those counts rolled up. -#}
{#- The portal's counts (SPEC 3.2) are among them: `ended_*` judge every ended dossier whatever
    its outcome (processed, returned, stopped, refused, withdrawn), `in_progress_within_due_count`
    the dossiers still open and not yet due, `processed_late_or_complaint_count` each dossier
    once whether late, disliked or complained about. The digital services the portal scores
    (`received_*_known_count` and their flags: real-time sync, certified copies, population
    data, data shared to the applicant's store) count only dossiers whose system says. -#}
{% macro dossier_counts() %}
    {%- set processed = "is_closed_in_period and outcome = 'processed'" -%}
    {%- set received = "is_received_in_period" -%}
    {{ return([
        {'name': 'received_count', 'where': received},
        {'name': 'carried_over_count', 'where': 'is_carried_over', 'over_time': 'opening'},
        {'name': 'to_process_count', 'where': received ~ ' or is_carried_over',
         'over_time': ['received_count', 'carried_over_count']},
        {'name': 'processed_count', 'where': processed},
        {'name': 'processed_early_count', 'where': processed ~ " and end_judgement = 'early'"},
        {'name': 'processed_on_time_count', 'where': processed ~ " and end_judgement = 'on_time'"},
        {'name': 'processed_late_count', 'where': processed ~ " and end_judgement = 'late'"},
        {'name': 'processed_unjudged_count', 'where': processed ~ ' and end_judgement is null'},
        {'name': 'refused_count', 'where': "is_closed_in_period and outcome = 'refused'"},
        {'name': 'stopped_count', 'where': "is_closed_in_period and outcome = 'stopped'"},
        {'name': 'withdrawn_count', 'where': "is_closed_in_period and outcome = 'withdrawn'"},
        {'name': 'in_progress_end_count', 'where': 'not is_closed_in_period', 'over_time': 'closing'},
        {'name': 'in_progress_overdue_count', 'where': "open_judgement = 'overdue'", 'over_time': 'closing'},
        {'name': 'in_progress_due_soon_count', 'where': "open_judgement = 'due_soon'", 'over_time': 'closing'},
        {'name': 'in_progress_not_yet_due_count', 'where': "open_judgement = 'not_yet_due'",
         'over_time': 'closing'},
        {'name': 'in_progress_due_unknown_count', 'where': "open_judgement = 'due_unknown'",
         'over_time': 'closing'},
        {'name': 'late_with_apology_count',
         'where': processed ~ " and end_judgement = 'late' and is_apology_before_due"},
        {'name': 'late_with_any_apology_count',
         'where': processed ~ " and end_judgement = 'late' and is_apology_issued"},
        {'name': 'late_apology_known_count',
         'where': processed ~ " and end_judgement = 'late' and is_apology_issued is not null"},
        {'name': 'received_online_count', 'where': received ~ ' and is_online_submission'},
        {'name': 'received_full_online_count', 'where': received ~ ' and is_full_online_submission'},
        {'name': 'received_postal_count', 'where': received ~ ' and is_postal_submission'},
        {'name': 'received_online_procedure_count', 'where': received ~ ' and is_online_procedure'},
        {'name': 'received_fee_bearing_count', 'where': received ~ ' and is_fee_bearing'},
        {'name': 'received_fee_bearing_paid_online_count',
         'where': received ~ ' and is_fee_bearing and is_paid_online'},
        {'name': 'received_digitised_count', 'where': received ~ ' and is_digitised'},
        {'name': 'received_with_digitised_component_count',
         'where': received ~ ' and has_digitised_component'},
        {'name': 'received_reused_count', 'where': received ~ ' and is_reused'},
        {'name': 'received_due_inconsistent_count', 'where': received ~ ' and is_due_inconsistent'},
        {'name': 'processed_electronic_result_count', 'where': processed ~ ' and has_electronic_result'},
        {'name': 'processed_rated_count', 'where': processed ~ ' and rating_code is not null'},
        {'name': 'processed_dissatisfied_count', 'where': processed ~ ' and is_dissatisfied'},
        {'name': 'processed_complaint_count', 'where': processed ~ ' and has_complaint'},
        {'name': 'processed_complaint_or_dissatisfied_count',
         'where': processed ~ ' and (has_complaint or is_dissatisfied)'},
        {'name': 'processed_with_supplement_count', 'where': processed ~ ' and supplement_requests >= 1'},
        {'name': 'processed_second_supplement_count', 'where': processed ~ ' and has_second_supplement'},
        {'name': 'processed_supplement_wait_estimated_count',
         'where': processed ~ ' and is_supplement_wait_estimated'},
        {'name': 'processed_supplement_on_last_day_count',
         'where': processed ~ ' and has_supplement_on_due_day'},
        {'name': 'processed_closed_at_due_minute_count', 'where': processed ~ ' and is_closed_at_due_minute'},
        {'name': 'processed_timed_count', 'where': processed ~ ' and legal_time_used_share is not null'},
        {'name': 'ended_count', 'where': 'is_closed_in_period'},
        {'name': 'ended_on_time_count',
         'where': "is_closed_in_period and end_judgement in ('early', 'on_time')"},
        {'name': 'in_progress_within_due_count',
         'where': "not is_closed_in_period and open_judgement in ('not_yet_due', 'due_soon')",
         'over_time': 'closing'},
        {'name': 'processed_late_or_complaint_count',
         'where': processed ~ " and (end_judgement = 'late' or has_complaint or is_dissatisfied)"},
        {'name': 'received_sync_known_count', 'where': received ~ ' and is_synced_in_real_time is not null'},
        {'name': 'received_synced_in_time_count', 'where': received ~ ' and is_synced_in_real_time'},
        {'name': 'received_certified_copy_known_count', 'where': received ~ ' and has_certified_copy is not null'},
        {'name': 'received_certified_copy_count', 'where': received ~ ' and has_certified_copy'},
        {'name': 'received_population_data_known_count', 'where': received ~ ' and uses_population_data is not null'},
        {'name': 'received_population_data_count', 'where': received ~ ' and uses_population_data'},
        {'name': 'received_personal_store_known_count',
         'where': received ~ ' and is_shared_to_personal_store is not null'},
        {'name': 'received_personal_store_count', 'where': received ~ ' and is_shared_to_personal_store'},
    ]) }}
{% endmacro %}

{#- The additive counts, by name: summed over agencies into provinces and the nation (over
    months only as their `over_time` says). -#}
{% macro dossier_count_columns() %}
    {{ return(dossier_counts() | map(attribute='name') | list) }}
{% endmacro %}

{#- A count of a quarter or year from its months' rows (`months`, each with its period_start):
    an aggregate expression over the rows of the period's months; `first_month` and
    `last_month` are the period's first and last month starts. -#}
{% macro dossier_count_over_months(name, months, first_month, last_month) -%}
    {%- set count = dossier_counts() | selectattr('name', 'equalto', name) | first -%}
    {%- set over_time = count.get('over_time', 'flow') -%}
    {%- if over_time is string and over_time == 'flow' -%}
        sum({{ months }}.{{ name }})
    {%- elif over_time is string and over_time in ('opening', 'closing') -%}
        {%- set month = first_month if over_time == 'opening' else last_month -%}
        sum(case when {{ months }}.period_start = {{ month }} then {{ months }}.{{ name }} else 0 end)
    {%- elif over_time is string -%}
        {{ exceptions.raise_compiler_error("count " ~ name ~ ": over_time is flow, opening, closing or a list of counts, not " ~ over_time) }}
    {%- else -%}
        ({% for part in over_time %}{{ dossier_count_over_months(part, months, first_month, last_month) }}{{ ' + ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- Sums (not counts) that roll up the same way. -#}
{% macro dossier_sum_columns() %}
    {{ return(['processed_legal_time_used_share_sum']) }}
{% endmacro %}

{#- The rates: name -> (numerator, denominator) over the counts. The service index scores
    these same pairs (a criterion's `rate_metric` in its configuration seed names one). The
    digital-service rates are measured only where the systems export the field (macro
    measured_where_said). -#}
{% macro dossier_rates() %}
    {%- set judged = 'processed_early_count + processed_on_time_count + processed_late_count' -%}
    {%- set on_time = 'processed_early_count + processed_on_time_count' -%}
    {{ return({
        'on_time_rate': (on_time, judged),
        'early_rate': ('processed_early_count', judged),
        'late_rate': ('processed_late_count', judged),
        'late_with_apology_share': ('late_with_apology_count', 'late_apology_known_count'),
        'progress_on_time_rate': (
            'ended_on_time_count + in_progress_within_due_count', 'to_process_count'),
        'in_progress_overdue_share': ('in_progress_overdue_count', 'in_progress_end_count'),
        'online_share': ('received_online_count', 'received_count'),
        'full_online_share': ('received_full_online_count', 'received_count'),
        'postal_share': ('received_postal_count', 'received_count'),
        'online_provision_rate': ('received_online_procedure_count', 'received_count'),
        'online_payment_rate': ('received_fee_bearing_paid_online_count', 'received_fee_bearing_count'),
        'digitisation_rate': ('received_digitised_count', 'received_count'),
        'reuse_rate': ('received_reused_count', 'received_count'),
        'electronic_result_rate': ('processed_electronic_result_count', 'processed_count'),
        'complaint_or_dissatisfied_rate': ('processed_complaint_or_dissatisfied_count', 'processed_count'),
        'handling_satisfaction_rate': (
            'greatest(processed_count - processed_late_count - processed_complaint_or_dissatisfied_count, 0)',
            'processed_count'),
        'dossier_satisfaction_rate': (
            'processed_count - processed_late_or_complaint_count', 'processed_count'),
        'closed_at_due_minute_share': ('processed_closed_at_due_minute_count', 'processed_count'),
        'supplement_on_last_day_share': ('processed_supplement_on_last_day_count', 'processed_count'),
        'avg_legal_time_used_share': ('processed_legal_time_used_share_sum', 'processed_timed_count'),
        'sync_in_time_rate': ('received_synced_in_time_count', measured_where_said('received_sync_known_count')),
        'certified_copy_rate': ('received_certified_copy_count',
                                measured_where_said('received_certified_copy_known_count')),
        'population_data_rate': ('received_population_data_count',
                                 measured_where_said('received_population_data_known_count')),
        'personal_store_rate': ('received_personal_store_count',
                                measured_where_said('received_personal_store_known_count')),
    }) }}
{% endmacro %}

{#- The denominator of a rate measured only on the dossiers whose system says (`known`): none
    received gives 0 (an empty denominator, scored by its rule as the portal does); dossiers
    received but none that says gives null ("not measured"), never a rate of 0. -#}
{% macro measured_where_said(known, received='received_count') -%}
    {{ return('case when ' ~ received ~ ' = 0 then 0 else nullif(' ~ known ~ ', 0) end') }}
{%- endmacro %}

{#- Every rate as a select-list item, from its definition above. -#}
{% macro dossier_indicator_rates() -%}
    {%- for name, parts in dossier_rates().items() %}
    {{ safe_divide(parts[0], parts[1]) }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The portal's priority among the statuses that end processing (SPEC 3.1), lowest first:
    processed (9), result returned (10), stopped (8) or refused / not accepted (3), withdrawn (7).
    The status events carry the same order (int_dossier__events_ordered.ending_priority). -#}
{% macro record_ending_priority(status_code) -%}
    case {{ status_code }}
        when '9' then 1
        when '10' then 2
        when '8' then 3
        when '3' then 3
        when '7' then 4
    end
{%- endmacro %}
