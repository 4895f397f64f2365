{#- One ranking for every index (SPEC 3.5), over the rows the caller passes.

    - Scores are rounded to the published precision first, half up on an exact decimal:
      the score is cast to decimal(18, 6) (which drops binary noise such as 89.99499999…)
      and then rounded half away from zero, so 89.995 publishes as 90.00, is band A and ties
      with a 90.00. 89.9949 publishes as 89.99.
    - Descending; equal published scores share the best rank (competition ranking 1, 2, 2, 4).
    - `is_ranked` is a boolean expression: a unit where it is false (withheld by the quality
      gate, not computed, no score) gets no rank and is not counted in "of M".
    - `partition_by` is a list of columns: the round (year), and e.g. the region or block. -#}

{% macro published_round(score, precision=2) -%}
    cast(round(cast({{ score }} as decimal(18, 6)), {{ precision }}) as double)
{%- endmacro %}

{% macro _rank_partition(partition_by, is_ranked, score) -%}
    partition by
        {%- for column in partition_by %} {{ column }},{% endfor %}
        case when ({{ is_ranked }}) and ({{ score }}) is not null then 1 else 0 end
{%- endmacro %}

{% macro competition_rank(score, partition_by=[], is_ranked='true', precision=2) -%}
    case when ({{ is_ranked }}) and ({{ score }}) is not null then
        rank() over (
            {{ _rank_partition(partition_by, is_ranked, score) }}
            order by {{ published_round(score, precision) }} desc
        )
    end
{%- endmacro %}

{#- M of "rank N of M": the units ranked in the same partition. -#}
{% macro ranked_count(score, partition_by=[], is_ranked='true') -%}
    case when ({{ is_ranked }}) and ({{ score }}) is not null then
        count(*) over ({{ _rank_partition(partition_by, is_ranked, score) }})
    end
{%- endmacro %}

{#- A ranked unit's group (seed index_rank_groups, e.g. PAPI's quartiles): the one whose
    [from_share_pct, below_share_pct) holds the share of ranked units above it, 100 × (rank − 1)
    ÷ of M, in integers so that no rounding moves a unit across a boundary; equal scores share a
    rank and so a group; an unranked unit (null rank) matches none. -#}
{% macro rank_group_condition(groups, rank, rank_of) -%}
    100 * ({{ rank }} - 1) >= {{ groups }}.from_share_pct * {{ rank_of }}
    and 100 * ({{ rank }} - 1) < {{ groups }}.below_share_pct * {{ rank_of }}
{%- endmacro %}
