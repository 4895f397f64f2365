{#- Robust statistics for the quality gate (SPEC 4). Ordered-set aggregates are written once
    here so an engine without them can dispatch its own form. -#}
{% macro quality_percentile(expr, fraction) -%}
    {{ return(adapter.dispatch('quality_percentile')(expr, fraction)) }}
{%- endmacro %}

{% macro default__quality_percentile(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro quality_median(expr) -%}
    {{ quality_percentile(expr, 0.5) }}
{%- endmacro %}

{#- A unit's distance from the national distribution in robust standard deviations: the
    spread between units (1.4826 × MAD) or, when units barely differ, the binomial sampling
    error of a share at the national level (floored at 1%, or `floor_share`) for the unit's size — whichever is
    larger, so a small unit is not flagged for the noise of its own sample. -#}
{% macro robust_share_z(value, national_median, national_mad, units, floor_share='0.01e0') -%}
    ({{ value }} - {{ national_median }}) / nullif(greatest(
        1.4826e0 * {{ national_mad }},
        sqrt(greatest({{ national_median }}, {{ floor_share }}) * (1 - least(greatest({{ national_median }}, {{ floor_share }}), 0.99e0))
             / nullif({{ units }}, 0))
    ), 0)
{%- endmacro %}

{#- A robust z-score of a value that is not a share: (x − median) / (1.4826 × MAD), with the
    given floor on the spread. -#}
{% macro robust_z(value, national_median, national_mad, floor) -%}
    ({{ value }} - {{ national_median }}) / nullif(greatest(1.4826e0 * {{ national_mad }}, {{ floor }}), 0)
{%- endmacro %}

{#- The excess of an observed count over its expectation beyond five standard errors, as a share
    of the unit's count: > 0 only when the excess is both large and far outside chance. -#}
{% macro excess_share_beyond_chance(observed, expected, standard_error, units) -%}
    ({{ observed }} - {{ expected }} - 5 * {{ standard_error }}) / nullif({{ units }}, 0)
{%- endmacro %}

{#- The quality runner (Python, `quality/`) writes these two tables; created empty here when
    the runner has not run yet, so the publication status builds (everything published = nothing
    checked is never the case: no results means no rows). Same columns as quality/results.py
    and quality/decisions.py. -#}
{% macro ensure_quality_tables() %}
    {{ return(adapter.dispatch('ensure_quality_tables', 'chiso')()) }}
{% endmacro %}

{% macro default__ensure_quality_tables() %}
    create schema if not exists quality;
    create table if not exists quality.quality_results (
        run_id {{ dbt.type_string() }} not null,
        run_at timestamp not null,
        check_name {{ dbt.type_string() }} not null,
        layer {{ dbt.type_string() }} not null,
        index_code {{ dbt.type_string() }},
        unit_type {{ dbt.type_string() }},
        unit_key {{ dbt.type_string() }},
        code_system {{ dbt.type_string() }},
        period_type {{ dbt.type_string() }},
        period_start date,
        observed_value double,
        reference_value double,
        tested_value double,
        threshold {{ dbt.type_string() }} not null,
        severity {{ dbt.type_string() }} not null,
        passed boolean not null,
        message_vi {{ dbt.type_string() }},
        evidence {{ dbt.type_string() }} not null,
        outcome {{ dbt.type_string() }}
    );
    create table if not exists quality.steward_decisions (
        decision_ref {{ dbt.type_string() }} not null,
        source_file {{ dbt.type_string() }} not null,
        source_line integer not null,
        index_code {{ dbt.type_string() }} not null,
        unit_type {{ dbt.type_string() }} not null,
        unit_key {{ dbt.type_string() }} not null,
        period_type {{ dbt.type_string() }} not null,
        period_start date not null,
        action {{ dbt.type_string() }} not null,
        check_name {{ dbt.type_string() }},
        decided_by {{ dbt.type_string() }} not null,
        decided_at timestamp not null,
        reason {{ dbt.type_string() }} not null,
        loaded_run_id {{ dbt.type_string() }} not null
    )
{% endmacro %}

{#- The number of bits set in a bigint (DuckDB and Spark both call it bit_count). -#}
{% macro popcount(expr) -%}
    {{ return(adapter.dispatch('popcount', 'chiso')(expr)) }}
{%- endmacro %}

{% macro default__popcount(expr) -%}
    bit_count({{ expr }})
{%- endmacro %}
