{#- Text functions that differ between engines, dispatched by adapter. -#}

{#- A lateral table of the pieces of `text_expr` split on a literal `separator`: one row per
    piece in column `column` of relation `alias`. It follows a comma in a from clause:
        from provinces as p, {{ split_to_rows('p.codes', ' ', 'code', 'value') }} -#}
{% macro split_to_rows(text_expr, separator, alias, column) -%}
    {{ return(adapter.dispatch('split_to_rows', 'chiso')(text_expr, separator, alias, column)) }}
{%- endmacro %}

{% macro duckdb__split_to_rows(text_expr, separator, alias, column) -%}
    unnest(string_split({{ text_expr }}, '{{ separator }}')) as {{ alias }}({{ column }})
{%- endmacro %}

{#- Spark's split takes a regular expression: the separator is quoted as a literal -#}
{% macro spark__split_to_rows(text_expr, separator, alias, column) -%}
    lateral explode(split({{ text_expr }}, '\\Q{{ separator }}\\E')) as {{ alias }}({{ column }})
{%- endmacro %}

{% macro default__split_to_rows(text_expr, separator, alias, column) -%}
    {{ exceptions.raise_compiler_error("split_to_rows has no form for " ~ target.type ~ " yet: add "
        ~ target.type ~ "__split_to_rows in macros/portable/strings.sql") }}
{%- endmacro %}
