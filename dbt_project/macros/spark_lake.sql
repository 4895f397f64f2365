{#- The raw layer handed to Spark (chiso/spark/lake.py writes it): every table of the lake,
    one Parquet folder per table (<location>/<schema>/<table>/), registered as a Spark table
    over those files, so the dbt sources (schema raw, quality) read them. Run before a build:
      dbt run-operation register_lake_tables --target spark \
        --args '{location: /data/lake, tables: [raw.dossier_records, raw.calendar_days]}'
    Each table is dropped and registered again (only the catalog entry: the files stay), so a
    new export is read whole. -#}
{% macro register_lake_tables(location, tables) %}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error("register_lake_tables is for the Spark targets, not "
            ~ target.type ~ ": DuckDB reads the raw layer in its own file") }}
    {%- endif -%}
    {%- set schemas = [] -%}
    {%- for table in tables -%}
        {%- set parts = table.split('.') -%}
        {%- if parts | length != 2 -%}
            {{ exceptions.raise_compiler_error("lake tables are schema.table, got " ~ table) }}
        {%- endif -%}
        {%- if parts[0] not in schemas -%}
            {%- do run_query('create schema if not exists ' ~ parts[0]) -%}
            {%- do schemas.append(parts[0]) -%}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {%- do run_query('create table ' ~ table ~ " using parquet location '"
            ~ location.rstrip('/') ~ '/' ~ parts[0] ~ '/' ~ parts[1] ~ "'") -%}
    {%- endfor -%}
    {{ log('registered ' ~ (tables | length) ~ ' lake tables from ' ~ location, info=true) }}
{% endmacro %}
