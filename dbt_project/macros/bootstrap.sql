{#- A pseudo-random number in (0, 1) from a deterministic hash of a list of column
    expressions (integers or strings): the same values give the same number on every run, so
    bootstrap intervals rerun identically. The one engine-specific part of the survey
    bootstrap (DuckDB `hash`, Spark `xxhash64`, both variadic). -#}
{% macro uniform_from_hash(expressions) -%}
    {{ return(adapter.dispatch('uniform_from_hash', 'chiso')(expressions)) }}
{%- endmacro %}

{% macro default__uniform_from_hash(expressions) -%}
    ((hash({{ expressions | join(', ') }}) % 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{% macro spark__uniform_from_hash(expressions) -%}
    (pmod(xxhash64({{ expressions | join(', ') }}), 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{#- Replicate numbers 1..n without generate_series (portable): three cross-joined digits. -#}
{% macro replicate_numbers(n) -%}
    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as replicate
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones(d)
    where hundreds.d * 100 + tens.d * 10 + ones.d + 1 <= {{ n }}
{%- endmacro %}
