-- one row per survey, year, unit, respondent type and element: the weighted index, respondents, Kish design effect and 95% margin of error; also each old province's respondents pooled under its successor (unit_basis = successor) for comparable series
with scores as (

    select * from {{ ref('int_survey__respondent_scores') }}
    where respondent_score is not null

),

successors as (

    select
        {{ province_key("'gso63'", 'province_code') }} as unit_key,
        {{ province_key("'gso34'", 'successor_code_2025') }} as successor_key
    from {{ ref('provinces_2008_2025') }}
    where successor_code_2025 is not null

),

by_unit as (

    select 'own' as unit_basis, unit_key, 'all' as respondent_type, scores.* except (unit_key, respondent_type)
    from scores

    union all

    select 'own' as unit_basis, unit_key, respondent_type, scores.* except (unit_key, respondent_type)
    from scores
    where respondent_type is not null

    union all

    -- counts summed and shares recomputed over the pooled respondents, never averaged
    select 'successor' as unit_basis, successors.successor_key as unit_key, 'all', scores.* except (unit_key, respondent_type)
    from scores
    inner join successors on successors.unit_key = scores.unit_key
    where scores.code_system = 'gso63'

),

sums as (

    select
        survey_code,
        survey_year,
        unit_basis,
        by_unit.unit_key as unit_key,
        by_unit.respondent_type as respondent_type,
        element_code,
        min(element_name) as element_name,
        min(index_rule) as index_rule,
        count(*) as respondents,
        sum(sampling_weight) as sum_weight,
        sum(sampling_weight * sampling_weight) as sum_weight_squared,
        sum(sampling_weight * points) as weighted_points,
        sum(sampling_weight * weight_answered) as weighted_answered,
        sum(sampling_weight * respondent_score) as sum_w_score,
        sum(sampling_weight * respondent_score * respondent_score) as sum_w_score_squared,
        sum(answers_out_of_scale) as answers_out_of_scale
    from by_unit
    group by survey_code, survey_year, unit_basis, by_unit.unit_key, by_unit.respondent_type,
        element_code

),

estimates as (

    select
        *,
        weighted_points / weighted_answered as share,
        -- Kish: deff = n · Σw² / (Σw)²
        respondents * sum_weight_squared / (sum_weight * sum_weight) as design_effect
    from sums

),

with_variance as (

    select
        *,
        -- respondents' weighted variance around the index (the mean rule's s²)
        {{ weighted_variance('sum_w_score_squared', 'sum_w_score', 'share', 'sum_weight') }}
            as score_variance
    from estimates

)

select
    survey_code,
    survey_year,
    unit_basis,
    unit_key,
    respondent_type,
    element_code,
    element_name,
    index_rule,
    respondents,
    sum_weight,
    sum_weight_squared,
    design_effect,
    100 * share as index_pct,
    -- share: 1.96·sqrt(deff·p(1−p)/n); mean: 1.96·sqrt(deff·s²/n), s² the respondents'
    -- weighted variance of their own 0..1 score around the index
    100 * 1.96 * sqrt(design_effect * case
        when index_rule = 'top2_share' then share * (1 - share)
        else score_variance end / respondents) as margin_of_error_pct,
    case when index_rule = 'top2_share' then 'share' else 'mean' end as margin_of_error_formula,
    answers_out_of_scale

from with_variance
