-- one row per survey, year, unit and respondent type: the overall index (mean of the element indices), respondents, design effect and 95% margin of error
with elements as (

    select * from {{ ref('int_survey__element_index') }}
    -- PAPI's overall score is its methodology's total (int_papi__scores), not a mean of
    -- indicators
    where survey_code <> 'papi'

),

scores as (

    select * from {{ ref('int_survey__respondent_scores') }}
    where respondent_score is not null and survey_code <> 'papi'

),

successors as (

    select
        {{ province_key("'gso63'", 'province_code') }} as unit_key,
        {{ province_key("'gso34'", 'successor_code_2025') }} as successor_key
    from {{ ref('provinces_2008_2025') }}
    where successor_code_2025 is not null

),

-- each respondent's own overall score: the mean of their element scores
respondent_overall as (

    select
        survey_code, survey_year, unit_key, code_system, respondent_type, response_key,
        min(sampling_weight) as sampling_weight,
        avg(respondent_score) as overall_score
    from scores
    group by survey_code, survey_year, unit_key, code_system, respondent_type, response_key

),

by_unit as (

    select 'own' as unit_basis, unit_key, 'all' as respondent_type, sampling_weight,
        overall_score, survey_code, survey_year
    from respondent_overall
    union all
    select 'own', unit_key, respondent_type, sampling_weight, overall_score, survey_code,
        survey_year
    from respondent_overall
    where respondent_type is not null
    union all
    select 'successor', successors.successor_key, 'all', sampling_weight, overall_score,
        survey_code, survey_year
    from respondent_overall
    inner join successors on successors.unit_key = respondent_overall.unit_key
    where respondent_overall.code_system = 'gso63'

),

respondent_sums as (

    select
        survey_code, survey_year, unit_basis, unit_key, respondent_type,
        count(*) as respondents,
        sum(sampling_weight) as sum_weight,
        sum(sampling_weight * sampling_weight) as sum_weight_squared,
        sum(sampling_weight * overall_score) as sum_w_score,
        sum(sampling_weight * overall_score * overall_score) as sum_w_score_squared
    from by_unit
    group by survey_code, survey_year, unit_basis, unit_key, respondent_type

),

overall as (

    select
        survey_code, survey_year, unit_basis, unit_key, respondent_type,
        min(index_rule) as index_rule,
        count(*) as elements,
        avg(index_pct) as index_pct,
        sum(answers_out_of_scale) as answers_out_of_scale
    from elements
    group by survey_code, survey_year, unit_basis, unit_key, respondent_type

)

select
    overall.survey_code,
    overall.survey_year,
    overall.unit_basis,
    overall.unit_key,
    overall.respondent_type,
    overall.index_rule,
    overall.elements,
    respondent_sums.respondents,
    respondent_sums.respondents * respondent_sums.sum_weight_squared
        / (respondent_sums.sum_weight * respondent_sums.sum_weight) as design_effect,
    overall.index_pct,
    -- the overall index is a mean of ratios: its margin uses the mean formula over the
    -- respondents' own overall scores, 1.96·sqrt(deff·s²/n)
    100 * 1.96 * sqrt(
        respondent_sums.respondents * respondent_sums.sum_weight_squared
        / (respondent_sums.sum_weight * respondent_sums.sum_weight)
        * {{ weighted_variance('respondent_sums.sum_w_score_squared', 'respondent_sums.sum_w_score',
                               '(overall.index_pct / 100)', 'respondent_sums.sum_weight') }}
        / respondent_sums.respondents
    ) as margin_of_error_pct,
    overall.answers_out_of_scale

from overall
inner join respondent_sums
    on respondent_sums.survey_code = overall.survey_code
    and respondent_sums.survey_year = overall.survey_year
    and respondent_sums.unit_basis = overall.unit_basis
    and respondent_sums.unit_key = overall.unit_key
    and respondent_sums.respondent_type = overall.respondent_type
