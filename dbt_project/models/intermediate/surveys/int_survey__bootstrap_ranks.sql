-- one row per survey, year, unit, element (and 'overall') and bootstrap replicate: the replicate's index and its rank among the year's units in that replicate
{{ config(meta={'year_local': true}) }}  -- a year's rows read only that year

with elements as (

    select * from {{ ref('int_survey__bootstrap_replicates') }}
    -- PAPI's replicates are aggregated by its methodology (int_papi__bootstrap_ranks)
    where survey_code <> 'papi' and {{ in_partition_years('survey_year') }}

),

overall as (

    select survey_code, survey_year, unit_key, 'overall' as element_code, replicate,
        avg(index_pct) as index_pct
    from elements
    group by survey_code, survey_year, unit_key, replicate

),

replicate_indices as (

    select survey_code, survey_year, unit_key, element_code, replicate, index_pct
    from elements
    union all
    select survey_code, survey_year, unit_key, element_code, replicate, index_pct
    from overall

)

select
    *,
    {{ competition_rank('index_pct',
        partition_by=['survey_code', 'survey_year', 'element_code', 'replicate']) }} as rank

from replicate_indices
