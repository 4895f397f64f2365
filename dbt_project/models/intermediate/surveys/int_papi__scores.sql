-- one row per PAPI year, unit basis (own; successor = old provinces' respondents pooled under their 2025 unit), unit and component (sub-dimension, dimension, total) with its score on its own scale and the respondents behind it
with indicators as (

    select survey_year, unit_basis, unit_key, element_code, index_pct
    from {{ ref('int_survey__element_index') }}
    where survey_code = 'papi' and respondent_type = 'all'

),

{{ papi_score_ctes('indicators', ['unit_basis', 'unit_key']) }},

respondents as (

    select distinct survey_year, unit_key, code_system, response_key
    from {{ ref('int_survey__respondent_scores') }}
    where survey_code = 'papi' and respondent_score is not null

),

successors as (

    select gso63_province_key as unit_key, gso34_province_key as successor_key
    from {{ ref('int_reference__province_crosswalk') }}
    where gso34_province_key is not null

),

respondent_counts as (

    select survey_year, 'own' as unit_basis, unit_key, count(*) as respondents
    from respondents
    group by survey_year, unit_key
    union all
    select respondents.survey_year, 'successor', successors.successor_key, count(*)
    from respondents
    inner join successors on successors.unit_key = respondents.unit_key
    where respondents.code_system = 'gso63'
    group by respondents.survey_year, successors.successor_key

)

select
    papi_scores.survey_year,
    papi_scores.unit_basis,
    papi_scores.unit_key,
    papi_scores.component_level,
    papi_scores.component_code,
    papi_scores.component_name,
    papi_scores.score,
    papi_scores.scale_min,
    papi_scores.scale_max,
    papi_scores.parts_scored,
    papi_scores.parts,
    respondent_counts.respondents

from papi_scores
left join respondent_counts
    on respondent_counts.survey_year = papi_scores.survey_year
    and respondent_counts.unit_basis = papi_scores.unit_basis
    and respondent_counts.unit_key = papi_scores.unit_key
