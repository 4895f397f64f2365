{#- A pseudo-random number in (0, 1) from a deterministic hash of a list of column
    expressions (macros/portable/hashing.sql): the same values give the same number on every
    run and every engine, so bootstrap intervals rerun identically on DuckDB and Spark. -#}
{% macro uniform_from_hash(expressions) -%}
    (({{ hash_uint32(expressions) }}) + 0.5e0) / 4294967296e0
{%- endmacro %}

{#- A number in [0, buckets) from a deterministic hash of a list of column expressions
    (buckets at most 2^32). -#}
{% macro hash_bucket(expressions, buckets) -%}
    mod({{ hash_uint32(expressions) }}, {{ buckets }})
{%- endmacro %}

{#- Replicate numbers 1..n without generate_series (portable): three cross-joined digits. -#}
{% macro replicate_numbers(n) -%}
    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as replicate
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones(d)
    where hundreds.d * 100 + tens.d * 10 + ones.d + 1 <= {{ n }}
{%- endmacro %}
