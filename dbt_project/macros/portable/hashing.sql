{#- A deterministic 32-bit hash that gives the same number on every engine: the first 32
    bits of the MD5 of the values' text, joined with '|'. (Engine hashes such as DuckDB's
    `hash` or Spark's `xxhash64` differ from one another, so a bootstrap built on them would
    draw other replicates on each engine.) Pass integers and text: their text is the same
    everywhere, a double's is not. -#}
{% macro hash_uint32(expressions) -%}
    {%- set text_parts = [] -%}
    {%- for expression in expressions -%}
        {%- do text_parts.append('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('hash_uint32', 'chiso')(
        "md5(concat_ws('|', " ~ (text_parts | join(', ')) ~ "))")) }}
{%- endmacro %}

{#- `md5_hex` is 32 hex digits; its first 8 read as a number -#}
{% macro duckdb__hash_uint32(md5_hex) -%}
    cast('0x' || substr({{ md5_hex }}, 1, 8) as bigint)
{%- endmacro %}

{% macro spark__hash_uint32(md5_hex) -%}
    cast(conv(substr({{ md5_hex }}, 1, 8), 16, 10) as bigint)
{%- endmacro %}

{% macro default__hash_uint32(md5_hex) -%}
    {{ exceptions.raise_compiler_error("hash_uint32 has no form for " ~ target.type ~ " yet: add "
        ~ target.type ~ "__hash_uint32 in macros/portable/hashing.sql") }}
{%- endmacro %}
