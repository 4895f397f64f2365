{#- PAPI's scores from its indicators, as the methodology file says (seed papi_methodology,
    `rescaling_rule`), written once for the point estimates (int_papi__scores) and the bootstrap
    replicates (int_papi__bootstrap_ranks). `indicators` has one row per `keys`, survey_year and
    indicator (`element_code`) with the indicator's weighted mean on 0–100 (`index_pct`, from
    the survey engine: answers rescaled (a − min) / (max − min), or reversed). Then:

    - sub-dimension = (dimension_scale_min + (dimension_scale_max − dimension_scale_min) ×
      weighted mean of its indicators ÷ 100) ÷ sub-dimensions of its dimension;
    - dimension = the sum of its sub-dimensions, 1–10; a sub-dimension nobody in the unit
      answered is left out and the others scaled up (× sub-dimensions ÷ scored ones);
    - total = the sum of the dimensions, 8–80, only when every dimension is scored.

    The result is the CTE `papi_scores`: keys, survey_year, component_level (sub_dimension,
    dimension, total), component_code (1.1, 1, total), component_name, score, scale_min,
    scale_max, parts_scored and parts (sub-dimensions of a dimension, dimensions of the total). -#}
{% macro papi_score_ctes(indicators, keys) -%}
papi_indicator_points as (

    select
        {%- for key in keys %}
        indicators.{{ key }},
        {%- endfor %}
        indicators.survey_year,
        methodology.dimension_code,
        methodology.dimension_name,
        methodology.sub_dimension_code,
        methodology.sub_dimension_name,
        methodology.sub_dimensions,
        methodology.dimensions,
        methodology.dimension_scale_min,
        methodology.dimension_scale_max,
        methodology.weight,
        indicators.index_pct
    from {{ indicators }} as indicators
    inner join {{ ref('int_papi__methodology') }} as methodology
        on methodology.survey_year = indicators.survey_year
        and methodology.indicator_code = indicators.element_code
    where indicators.index_pct is not null

),

papi_sub_dimensions as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        survey_year,
        dimension_code,
        sub_dimension_code,
        min(sub_dimension_name) as component_name,
        min(sub_dimensions) as sub_dimensions,
        min(dimensions) as dimensions,
        min(dimension_scale_min) as dimension_scale_min,
        min(dimension_scale_max) as dimension_scale_max,
        (min(dimension_scale_min) + (min(dimension_scale_max) - min(dimension_scale_min))
            * sum(weight * index_pct) / sum(weight) / 100) / min(sub_dimensions) as score,
        count(*) as indicators_scored
    from papi_indicator_points
    group by {% for key in keys %}{{ key }}, {% endfor %}survey_year, dimension_code,
        sub_dimension_code

),

papi_dimensions as (

    select
        {%- for key in keys %}
        papi_sub_dimensions.{{ key }},
        {%- endfor %}
        papi_sub_dimensions.survey_year,
        papi_sub_dimensions.dimension_code,
        min(names.dimension_name) as component_name,
        min(papi_sub_dimensions.dimensions) as dimensions,
        min(papi_sub_dimensions.dimension_scale_min) as scale_min,
        min(papi_sub_dimensions.dimension_scale_max) as scale_max,
        sum(papi_sub_dimensions.score) * min(papi_sub_dimensions.sub_dimensions) / count(*)
            as score,
        count(*) as parts_scored,
        min(papi_sub_dimensions.sub_dimensions) as parts
    from papi_sub_dimensions
    inner join (
        select distinct survey_year, dimension_code, dimension_name
        from {{ ref('int_papi__methodology') }}
    ) as names
        on names.survey_year = papi_sub_dimensions.survey_year
        and names.dimension_code = papi_sub_dimensions.dimension_code
    group by {% for key in keys %}papi_sub_dimensions.{{ key }}, {% endfor %}
        papi_sub_dimensions.survey_year, papi_sub_dimensions.dimension_code

),

papi_totals as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        survey_year,
        sum(scale_min) as scale_min,
        sum(scale_max) as scale_max,
        case when count(*) = min(dimensions) then sum(score) end as score,
        count(*) as parts_scored,
        min(dimensions) as parts
    from papi_dimensions
    group by {% for key in keys %}{{ key }}, {% endfor %}survey_year

),

papi_scores as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        survey_year, 'sub_dimension' as component_level, sub_dimension_code as component_code,
        component_name, score, dimension_scale_min / sub_dimensions as scale_min,
        dimension_scale_max / sub_dimensions as scale_max, indicators_scored as parts_scored,
        cast(null as bigint) as parts
    from papi_sub_dimensions
    union all
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        survey_year, 'dimension', dimension_code, component_name, score, scale_min, scale_max,
        parts_scored, parts
    from papi_dimensions
    union all
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        survey_year, 'total', 'total', 'Chỉ số PAPI (tổng 8 nội dung)', score, scale_min,
        scale_max, parts_scored, parts
    from papi_totals

)
{%- endmacro %}
