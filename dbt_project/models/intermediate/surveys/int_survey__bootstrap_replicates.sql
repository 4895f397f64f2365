-- one row per survey, year, unit, element and bootstrap replicate: the element index recomputed with each respondent's sampling weight times a seeded random multiplier (Bayesian bootstrap within each unit, the sampling stratum)
{{ config(meta={'year_local': true}) }}  -- a year's rows read only that year

with scores as (

    -- one number per respondent (the same on each of its element rows), so the
    -- per-replicate hash below hashes one integer and needs no join
    select survey_code, survey_year, unit_key, response_key, sampling_weight, element_code,
        points, weight_answered,
        {{ hash_bucket(["'" ~ var('survey_bootstrap_seed') ~ "'", 'survey_code',
                        'survey_year', 'response_key'], 2147483648) }} as respondent_number
    from {{ ref('int_survey__respondent_scores') }}
    where respondent_score is not null and {{ in_partition_years('survey_year') }}

),

replicates as (

    {{ replicate_numbers(var('survey_bootstrap_replicates')) }}

),

reweighted as (

    select
        scores.survey_code,
        scores.survey_year,
        scores.unit_key,
        scores.element_code,
        replicates.replicate,
        scores.points,
        scores.weight_answered,
        -- an Exp(1) multiplier per respondent and replicate, the same for all of a
        -- respondent's elements: mean 1 and variance 1, as a Poisson(1) resampling count
        scores.sampling_weight
            * -ln({{ uniform_from_hash(
                ['scores.respondent_number * 1024 + replicates.replicate']) }})
            as replicate_weight
    from scores
    cross join replicates

)

select
    survey_code,
    survey_year,
    unit_key,
    element_code,
    replicate,
    100 * sum(replicate_weight * points) / sum(replicate_weight * weight_answered) as index_pct

from reweighted
group by survey_code, survey_year, unit_key, element_code, replicate
