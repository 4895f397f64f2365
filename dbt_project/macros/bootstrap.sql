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

{#- The one interval computation of every bootstrapped index (SIPAS and the officials' survey,
    PAR INDEX, PAPI), as CTEs to follow the caller's own: from `ranks` (one row per unit, round
    and replicate with its `score` and `rank`), per unit and round the 95% intervals (2.5th and
    97.5th percentiles) of the score and the rank, the replicates' standard deviation of the
    score, and the interval of the rank change against the previous round (replicates paired
    by number across the two independent rounds; positive = up) with whether it excludes zero.
    `keys` name the unit (without the round); the result is the CTE `bootstrap_intervals`. -#}
{% macro bootstrap_interval_ctes(ranks, keys, year, score, rank='rank', replicate='replicate') -%}
bootstrap_changes as (

    select
        {%- for key in keys %}
        current_round.{{ key }},
        {%- endfor %}
        current_round.{{ year }},
        current_round.{{ replicate }},
        previous_round.{{ rank }} - current_round.{{ rank }} as rank_change
    from {{ ranks }} as current_round
    inner join {{ ranks }} as previous_round
        on previous_round.{{ year }} = current_round.{{ year }} - 1
        {%- for key in keys %}
        and previous_round.{{ key }} = current_round.{{ key }}
        {%- endfor %}
        and previous_round.{{ replicate }} = current_round.{{ replicate }}

),

bootstrap_score_intervals as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {{ year }},
        count(*) as replicates,
        percentile_cont(0.025) within group (order by {{ score }}) as score_low,
        percentile_cont(0.975) within group (order by {{ score }}) as score_high,
        stddev_samp({{ score }}) as score_sd,
        percentile_disc(0.025) within group (order by {{ rank }}) as rank_best,
        percentile_disc(0.975) within group (order by {{ rank }}) as rank_worst
    from {{ ranks }}
    group by {% for key in keys %}{{ key }}, {% endfor %}{{ year }}

),

bootstrap_change_intervals as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {{ year }},
        percentile_disc(0.025) within group (order by rank_change) as rank_change_low,
        percentile_disc(0.975) within group (order by rank_change) as rank_change_high
    from bootstrap_changes
    group by {% for key in keys %}{{ key }}, {% endfor %}{{ year }}

),

bootstrap_intervals as (

    select
        score_intervals.*,
        change_intervals.rank_change_low,
        change_intervals.rank_change_high,
        -- beyond the noise: the 95% interval of the change excludes no change
        case when change_intervals.rank_change_low is null then null
            else change_intervals.rank_change_low > 0 or change_intervals.rank_change_high < 0
        end as rank_change_beyond_noise
    from bootstrap_score_intervals as score_intervals
    left join bootstrap_change_intervals as change_intervals
        on change_intervals.{{ year }} = score_intervals.{{ year }}
        {%- for key in keys %}
        and change_intervals.{{ key }} = score_intervals.{{ key }}
        {%- endfor %}

)
{%- endmacro %}
