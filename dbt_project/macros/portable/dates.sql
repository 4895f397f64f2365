{#- Date functions that differ between engines (DuckDB, Spark), dispatched by adapter.
    The `duckdb__` forms are the only place DuckDB-only SQL may appear in the project
    (tests/dbt/test_portable_sql.py). -#}

{#- A date as ISO text cut to `unit`: day 2025-03-01, month 2025-03, year 2025. -#}
{% macro date_text(date_expr, unit='day') -%}
    {%- if unit not in ('day', 'month', 'year') -%}
        {{ exceptions.raise_compiler_error("date_text: unit is day, month or year, got " ~ unit) }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_text', 'chiso')(date_expr, unit)) }}
{%- endmacro %}

{% macro duckdb__date_text(date_expr, unit) -%}
    strftime({{ date_expr }}, '{{ {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[unit] }}')
{%- endmacro %}

{% macro spark__date_text(date_expr, unit) -%}
    date_format({{ date_expr }}, '{{ {"day": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}[unit] }}')
{%- endmacro %}

{#- SQL's text form of a date is ISO 8601 -#}
{% macro default__date_text(date_expr, unit) -%}
    substr(cast({{ date_expr }} as {{ dbt.type_string() }}), 1, {{ {"day": 10, "month": 7, "year": 4}[unit] }})
{%- endmacro %}

{#- ISO day of the week: Monday 1 … Sunday 7. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'chiso')(date_expr)) }}
{%- endmacro %}

{% macro duckdb__iso_day_of_week(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    extract(dayofweek_iso from {{ date_expr }})
{%- endmacro %}

{#- Days since Monday 2000-01-03, modulo 7: any engine with dbt's datediff -#}
{% macro default__iso_day_of_week(date_expr) -%}
    (mod(mod({{ dbt.datediff("cast('2000-01-03' as date)", date_expr, 'day') }}, 7) + 7, 7) + 1)
{%- endmacro %}

{#- A query with one row per day from start to end (dates, both included), in column
    `calendar_date`: use it as a subquery. -#}
{% macro date_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_series', 'chiso')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date) -%}
    select cast(generate_series as date) as calendar_date
    from generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)
{%- endmacro %}

{% macro spark__date_series(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
        as calendar_date
{%- endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    {{ exceptions.raise_compiler_error("date_series has no form for " ~ target.type ~ " yet: add "
        ~ target.type ~ "__date_series in macros/portable/dates.sql") }}
{%- endmacro %}
