{#- A pseudo-random number in (0, 1) from a deterministic hash of a list of column
    expressions: the same values give the same number on every run, so bootstrap intervals
    rerun identically. With these two macros the engine-specific part of the survey bootstrap
    (DuckDB `hash`, Spark `xxhash64`). Hash one value where the quality matters: combining
    several arguments mixes less well (a two-argument hash of (respondent, replicate) gave 85%
    coverage where one hash of respondent × 1024 + replicate gives 95%). -#}
{% macro uniform_from_hash(expressions) -%}
    {{ return(adapter.dispatch('uniform_from_hash', 'chiso')(expressions)) }}
{%- endmacro %}

{% macro default__uniform_from_hash(expressions) -%}
    ((hash({{ expressions | join(', ') }}) % 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{% macro spark__uniform_from_hash(expressions) -%}
    (pmod(xxhash64({{ expressions | join(', ') }}), 4294967296) + 0.5) / 4294967296e0
{%- endmacro %}

{#- A number in [0, buckets) from a deterministic hash of a list of column expressions. -#}
{% macro hash_bucket(expressions, buckets) -%}
    {{ return(adapter.dispatch('hash_bucket', 'chiso')(expressions, buckets)) }}
{%- endmacro %}

{% macro default__hash_bucket(expressions, buckets) -%}
    (hash({{ expressions | join(', ') }}) % {{ buckets }})
{%- endmacro %}

{% macro spark__hash_bucket(expressions, buckets) -%}
    pmod(xxhash64({{ expressions | join(', ') }}), {{ buckets }})
{%- endmacro %}

{#- Replicate numbers 1..n without generate_series (portable): three cross-joined digits. -#}
{% macro replicate_numbers(n) -%}
    select hundreds.d * 100 + tens.d * 10 + ones.d + 1 as replicate
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as hundreds(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as tens(d)
    cross join (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ones(d)
    where hundreds.d * 100 + tens.d * 10 + ones.d + 1 <= {{ n }}
{%- endmacro %}
