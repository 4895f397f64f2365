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

{#- The one interval computation of every bootstrapped index (SIPAS and the officials' survey,
    PAR INDEX, PAPI), as CTEs to follow the caller's own: from `ranks` (one row per unit, round
    and replicate with its `score` and `rank`), per unit and round the 95% intervals (2.5th and
    97.5th percentiles) of the score and the rank, the replicates' standard deviation of the
    score, and the interval of the rank change against the previous round (replicates paired
    by number across the two independent rounds; positive = up) with whether it excludes zero.
    `keys` name the unit (without the round); the result is the CTE `bootstrap_intervals`.
    Percentiles of ranks are integers on every engine (Spark's percentile_disc gives a double). -#}
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
        cast(percentile_disc(0.025) within group (order by {{ rank }}) as bigint) as rank_best,
        cast(percentile_disc(0.975) within group (order by {{ rank }}) as bigint) as rank_worst
    from {{ ranks }}
    group by {% for key in keys %}{{ key }}, {% endfor %}{{ year }}

),

bootstrap_change_intervals as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {{ year }},
        cast(percentile_disc(0.025) within group (order by rank_change) as bigint) as rank_change_low,
        cast(percentile_disc(0.975) within group (order by rank_change) as bigint) as rank_change_high
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
