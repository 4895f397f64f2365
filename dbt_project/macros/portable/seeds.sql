{#- Seed loading on Spark. dbt-spark's session mode pastes each value into the insert between
    quotes, unescaped, and writes a missing value as the text 'None': a value with an apostrophe
    ("Hung Kings' day") breaks the insert and an empty cell becomes 'None' instead of null
    (upstream: dbt-labs/dbt-spark#901, dbt-labs/dbt-adapters#487). Here every value is written
    as an escaped SQL literal, an empty cell as null, each cast to its column's type as before. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(
            column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for value in row -%}
                cast({{ spark_seed_literal(value) }} as {{ column_types[loop.index0] }})
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the SQL shown in the compiled files -#}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- One CSV value as a Spark SQL literal: null, true/false, a number, or quoted text with
    backslashes and apostrophes escaped (Spark's string literals take backslash escapes). -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
