{#- Light cleaning shared by staging models. -#}

{#- Trimmed text, empty strings as null (CSV and XLSX exports write missing values as ''). -#}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- 0/1 flags as booleans; anything else was quarantined at ingestion. -#}
{% macro flag_to_boolean(column) -%}
    cast({{ column }} as boolean)
{%- endmacro %}
