{#- DuckDB's spill directory, set once when a dbt run starts (on-run-start in dbt_project.yml):
    DuckDB refuses to set it again, even to the same place, once a query has spilled there, so
    it cannot be one of the profile's settings (those are set again on every model's cursor).
    The same variable and default as foundation.settings.duckdb_temp_directory(), which the
    orchestration exports for every dbt run. Other engines spill by their own rules. -#}
{% macro set_spill_directory() %}
    {{ return(adapter.dispatch('set_spill_directory', 'chiso')()) }}
{% endmacro %}

{% macro default__set_spill_directory() %}
    select 1
{% endmacro %}

{% macro duckdb__set_spill_directory() %}
    {%- set wanted = env_var('CHISO_DUCKDB_TEMP_DIR', env_var('CHISO_WAREHOUSE') ~ '.tmp') -%}
    {%- set current = none -%}
    {%- if execute -%}
        {%- set current = run_query("select current_setting('temp_directory')").columns[0].values()[0] -%}
    {%- endif -%}
    {%- if execute and current != wanted -%}
        set temp_directory = '{{ wanted | replace("'", "''") }}'
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
