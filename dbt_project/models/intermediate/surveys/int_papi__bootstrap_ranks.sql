-- one row per PAPI year, province, dimension (and the total) and bootstrap replicate: the score rebuilt from the replicate's indicator means by the methodology, and its rank among the year's provinces in that replicate
{{ config(meta={'year_local': true}) }}  -- a year's rows read only that year

with indicators as (

    select survey_year, unit_key, replicate, element_code, index_pct
    from {{ ref('int_survey__bootstrap_replicates') }}
    where survey_code = 'papi' and {{ in_partition_years('survey_year') }}

),

{{ papi_score_ctes('indicators', ['unit_key', 'replicate']) }}

select
    survey_year,
    unit_key,
    component_code,
    replicate,
    score,
    {{ competition_rank('score', partition_by=['survey_year', 'component_code', 'replicate'],
                        precision=var('papi_published_decimals')) }} as rank

from papi_scores
where component_level in ('dimension', 'total')
