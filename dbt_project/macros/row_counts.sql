{#- Post-hook of every model: a table's row count, logged once it is built (inside its
    transaction). The orchestration attaches it to the table's materialisation: dbt holds the
    DuckDB file while it runs, so no other connection could count meanwhile. Renders no SQL. -#}
{% macro log_row_count() -%}
    {%- if execute and model.config.materialized in ('table', 'incremental') -%}
        {%- set counted = run_query('select count(*) from ' ~ this) -%}
        {%- do log('chiso_row_count ' ~ counted.columns[0].values()[0], info=true) -%}
    {%- endif -%}
{%- endmacro %}
