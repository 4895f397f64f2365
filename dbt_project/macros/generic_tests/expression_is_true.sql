{#- Every row satisfies a SQL expression (a dbt_utils test written here for lack of network). -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
