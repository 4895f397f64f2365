{#- A pseudo-random number in (0, 1) from a deterministic hash of `key` (a string expression):
    the same key gives the same number on every run, so bootstrap intervals rerun identically.
    The one engine-specific part of the survey bootstrap. -#}
{% macro uniform_from_hash(key) -%}
    {{ return(adapter.dispatch('uniform_from_hash', 'chiso')(key)) }}
{%- endmacro %}

{% macro default__uniform_from_hash(key) -%}
    ((hash({{ key }}) % 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{% macro spark__uniform_from_hash(key) -%}
    (pmod(xxhash64({{ key }}), 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{#- Replicate numbers 1..n without generate_series (portable): three cross-joined digits. -#}
{% macro replicate_numbers(n) -%}
    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as replicate
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones(d)
    where hundreds.d * 100 + tens.d * 10 + ones.d + 1 <= {{ n }}
{%- endmacro %}
