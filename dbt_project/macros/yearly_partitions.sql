{#- Yearly partitions of the survey indices (tag `yearly`: SIPAS, the officials' survey, PAR
    INDEX and whatever later joins their folders).

    A build reads the same vars as the monthly marts, a half-open window of dates
    [partition_start, partition_end); a year is in it when the year overlaps it:
      dbt build --select tag:yearly --vars '{partition_start: 2023-01-01, partition_end: 2025-01-01}'
    rebuilds 2023 and 2024. A year's "change against the previous year" reads that previous year,
    so each model also rewrites the year after the window, unless it says (meta `year_local`)
    that its rows of a year read nothing of another year. Without the vars every year is built.

    The strategy below writes only those years (delete them, insert the model's rows of them):
    a model that computes every year still leaves the other years' rows as they were; a model
    filters its input with `in_partition_years()` only to save work. The year column is the
    folder's meta `year_column` (dbt_project.yml). -#}

{#- The years this model writes, as {'first': 2023, 'last': 2025}, or none (every year). -#}
{% macro partition_years(previous=false) %}
    {%- set window = partition_window() -%}
    {%- if window is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set years = years_of_window(window) -%}
    {%- set first, last = years.first, years.last -%}
    {%- set meta = config.get('meta') or {} -%}
    {#- at parse time a config value is not yet a mapping: the SQL rendered then is not run -#}
    {%- if not (meta is mapping and meta.get('year_local', false)) -%}
        {%- set last = last + 1 -%}
    {%- endif -%}
    {{ return({'first': first - (1 if previous else 0), 'last': last}) }}
{% endmacro %}

{#- The first and last calendar year a window of dates touches, as {'first': 2023, 'last': 2025}. -#}
{% macro years_of_window(window) %}
    {#- the window ends before its end date: 2025-01-01 ends in 2024, 2025-03-01 in 2025 -#}
    {%- set last = (window.end[:4] | int) - (1 if window.end[5:] == '01-01' else 0) -%}
    {{ return({'first': window.start[:4] | int, 'last': last}) }}
{% endmacro %}

{#- SQL predicate: the year column is one this model writes (or, with previous=true, the year
    before one); true without a window. -#}
{% macro in_partition_years(column, previous=false) -%}
    {%- set years = partition_years(previous) -%}
    {%- if years is none -%}
        true
    {%- else -%}
        ({{ column }} between {{ years.first }} and {{ years.last }})
    {%- endif -%}
{%- endmacro %}

{% macro year_column() %}
    {%- set meta = config.get('meta') or {} -%}
    {%- set column = meta.get('year_column') if meta is mapping else none -%}
    {%- if not column -%}
        {{ exceptions.raise_compiler_error(
            "a yearly model needs meta `year_column` (set per folder in dbt_project.yml): "
            ~ model.unique_id) }}
    {%- endif -%}
    {{ return(column) }}
{% endmacro %}

{#- incremental_strategy='replace_years': the years of the window are replaced whole, so a unit
    that no longer appears in a year does not linger, and no other year is written. -#}
{% macro get_incremental_replace_years_sql(arg_dict) %}
    {{ return(adapter.dispatch('replace_years_sql', 'chiso')(arg_dict)) }}
{% endmacro %}

{% macro default__replace_years_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set years = in_partition_years(year_column()) -%}
    delete from {{ target }} where {{ years }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }} where {{ years }}
{%- endmacro %}
