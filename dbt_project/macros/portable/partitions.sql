{#- The pre-hook of the monthly marts on Spark (see delete_partition_periods in
    macros/monthly_partitions.sql). Each of the table's periods is a Parquet partition
    (`partition_by` in dbt_project.yml); `insert_overwrite` replaces the partitions present in
    the new rows, but a period that has no row any more would stay: the periods overlapping the
    partition asked for are dropped first, so the table ends as DuckDB's delete+insert leaves it. -#}
{% macro spark__delete_partition_periods() -%}
    {%- set partition_columns = config.get('partition_by') -%}
    {%- if not (execute and is_incremental()) -%}
        select 1
    {%- elif not partition_columns -%}
        {{ exceptions.raise_compiler_error(
            "delete_partition_periods on Spark needs partition_by (the period columns) on " ~ this) }}
    {%- else -%}
        {%- set partition_columns = [partition_columns] if partition_columns is string else partition_columns -%}
        {%- set periods = run_query(
            "select distinct " ~ (partition_columns | join(', ')) ~ " from " ~ this
            ~ " where " ~ partition_overlaps('period_start', 'period_end')) -%}
        {%- set specs = [] -%}
        {%- for period in periods.rows -%}
            {%- set values = [] -%}
            {%- for column in partition_columns -%}
                {%- do values.append(column ~ " = '" ~ period[column] ~ "'") -%}
            {%- endfor -%}
            {%- do specs.append('partition (' ~ (values | join(', ')) ~ ')') -%}
        {%- endfor -%}
        {%- if specs -%}
            alter table {{ this }} drop if exists {{ specs | join(', ') }}
        {%- else -%}
            select 1
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
