-- one row per survey, year, unit, element and bootstrap replicate: the element index recomputed with each sampling cluster's weighted sums times a seeded random multiplier (Bayesian bootstrap of the clusters within each unit, the sampling stratum; a cluster is one respondent, or PAPI's village)
{{ config(meta={'year_local': true}) }}  -- a year's rows read only that year

with scores as (

    -- a cluster's weighted sums per element, and one number per cluster (the same on each of
    -- its element rows), so the per-replicate hash below hashes one integer and needs no join
    select
        survey_code, survey_year, unit_key, cluster_key, element_code,
        sum(sampling_weight * points) as weighted_points,
        sum(sampling_weight * weight_answered) as weighted_answered,
        {{ hash_bucket(["'" ~ var('survey_bootstrap_seed') ~ "'", 'survey_code',
                        'survey_year', 'cluster_key'], 2147483648) }} as cluster_number
    from {{ ref('int_survey__respondent_scores') }}
    where respondent_score is not null and {{ in_partition_years('survey_year') }}
    group by survey_code, survey_year, unit_key, cluster_key, element_code

),

replicates as (

    {{ replicate_numbers(var('survey_bootstrap_replicates')) }}

),

cluster_numbers as (

    select distinct cluster_number from scores

),

multipliers as (

    -- an Exp(1) multiplier per cluster and replicate, the same for all of a cluster's
    -- elements: mean 1 and variance 1, as a Poisson(1) resampling count. Drawn once per
    -- cluster and replicate, then joined to the cluster's elements: the hash is the costly part
    select
        cluster_numbers.cluster_number,
        replicates.replicate,
        -ln({{ uniform_from_hash(
                ['cluster_numbers.cluster_number * 1024 + replicates.replicate']) }})
            as multiplier
    from cluster_numbers
    cross join replicates

),

reweighted as (

    select
        scores.survey_code,
        scores.survey_year,
        scores.unit_key,
        scores.element_code,
        multipliers.replicate,
        scores.weighted_points,
        scores.weighted_answered,
        multipliers.multiplier
    from scores
    inner join multipliers
        on multipliers.cluster_number = scores.cluster_number

)

select
    survey_code,
    survey_year,
    unit_key,
    element_code,
    replicate,
    100 * sum(multiplier * weighted_points) / sum(multiplier * weighted_answered) as index_pct

from reweighted
group by survey_code, survey_year, unit_key, element_code, replicate
