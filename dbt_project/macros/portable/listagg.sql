{#- dbt-spark's listagg ignores the order (it collects in whatever order the rows arrive),
    so the same list could read differently on each run and engine. Spark 4 has the SQL form
    with `within group (order by …)`: used here, in place of the adapter's. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num has no Spark form here yet") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
