{#- Spark runs one statement per call: a hook of several statements separated by `;` runs
    them one by one and hands dbt a no-op. -#}
{% macro run_statements_one_by_one(statements_sql) -%}
    {%- if execute -%}
        {%- for statement in statements_sql.split(';') if statement.strip() -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro spark__ensure_quality_tables() -%}
    {{ run_statements_one_by_one(default__ensure_quality_tables()) }}
{%- endmacro %}
