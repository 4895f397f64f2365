{#- The service index's rates about procedures rather than dossiers (SPEC 3.2), defined once:
    name -> (numerator, denominator) over the columns of fct_service_index_procedure_counts_monthly.
    A criterion's `rate_metric` in seed service_index_criteria names one. A denominator that is
    null means "not measured": no announcement loaded at all, or a catalogue that does not say
    which procedures are connected to the population database (macro measured_where_said). -#}
{% macro procedure_rates() %}
    {{ return({
        'announced_on_time_rate': ('announced_on_time', 'announced'),
        'made_public_on_time_rate': ('made_public_on_time', 'announced'),
        'published_complete_rate': ('published_complete', 'announced'),
        'connected_procedure_rate': ('connected_procedures_with_dossiers',
                                     measured_where_said('procedures_with_connection_known',
                                                         'procedures_with_dossiers')),
        'fee_procedure_paid_online_rate': ('fee_procedures_paid_online', 'fee_procedures'),
        'fee_procedure_with_dossiers_rate': ('fee_procedures_with_dossiers', 'fee_procedures'),
    }) }}
{% endmacro %}

{#- The petition rates (SPEC 3.2: handled on time, satisfied), over the petitions a unit
    answered in the month (fct_service_index_counts_monthly's petition_counts). -#}
{% macro petition_rates() %}
    {{ return({
        'petition_on_time_rate': ('answered_on_time', 'answered'),
        'petition_satisfaction_rate': ('satisfied', 'rated'),
    }) }}
{% endmacro %}

{#- Rates (name -> (numerator, denominator)) over a relation with one row per unit and month,
    as one row per unit, month and rate; no denominator is "not measured", so no numerator
    either. -#}
{% macro rate_rows(rates, relation) -%}
    {%- for metric, parts in rates.items() %}
    select
        period_start, unit_type, code_system, unit_key,
        '{{ metric }}' as rate_metric,
        case when ({{ parts[1] }}) is not null then cast({{ parts[0] }} as double) end
            as numerator,
        cast({{ parts[1] }} as double) as denominator
    from {{ relation }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The keys of a unit and month in the service index marts, cast as their contracts say. -#}
{% macro unit_month_columns(relation=none) -%}
    {%- set p = relation ~ '.' if relation else '' -%}
    cast({{ p }}period_start as date) as period_start,
    cast({{ p }}period_end as date) as period_end,
    cast({{ p }}unit_type as {{ dbt.type_string() }}) as unit_type,
    cast({{ p }}code_system as {{ dbt.type_string() }}) as code_system,
    cast({{ p }}unit_key as {{ dbt.type_string() }}) as unit_key
{%- endmacro %}

{#- Two relations speak of the same unit and month. -#}
{% macro same_unit_month(left, right) -%}
    {{ left }}.period_start = {{ right }}.period_start
        and {{ left }}.unit_type = {{ right }}.unit_type
        and {{ left }}.code_system = {{ right }}.code_system
        and {{ left }}.unit_key = {{ right }}.unit_key
{%- endmacro %}
