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
