-- the survey checks' null model: how an honest respondent of this survey and province answers.
-- One row per survey, province, question, answer option and quadrature node of the respondent
-- effect: the probability of the option for a respondent at that node.
--
-- The model is the ordinal one-factor model of Likert questionnaires (a graded-response model
-- with probit link): respondent i answers question q by cutting √ρ·aᵢ + √(1−ρ)·eᵢq at the
-- question's thresholds τ, with aᵢ and eᵢq standard normal. The thresholds are the province's
-- own (int_quality__survey_margins: its homogeneity and the questionnaire's options); ρ, the
-- share of answer variance that is the respondent's, is the survey's national median of the
-- provinces' latent item correlations (robust to the few provinces whose data are bad). So a
-- very satisfied, homogeneous province expects many identical and straight-lined respondents,
-- and a large one more chance matches than a small one. The respondent effect is integrated out
-- by Gauss–Hermite quadrature (macros/distributions.sql).
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with margins as (

    select * from {{ ref('int_quality__survey_margins') }}

),

structure as (

    select * from {{ ref('int_quality__survey_item_correlations') }}

),

judged_structure as (

    -- provinces large enough to judge speak for the survey; if none is, all of them do
    select
        survey_id,
        latent_item_correlation,
        respondents >= {{ var('quality_survey_min_respondents') }} as is_large_enough,
        max(case when respondents >= {{ var('quality_survey_min_respondents') }} then 1 else 0 end)
            over (partition by survey_id) as survey_has_large_provinces

    from structure
    where latent_item_correlation is not null

),

national_structure as (

    select
        survey_id,
        -- a correlation, kept inside [0, 0.95] so the model stays a proper one
        least(greatest({{ quality_median('latent_item_correlation') }}, 0e0), 0.95e0)
            as national_latent_item_correlation

    from judged_structure
    where is_large_enough or survey_has_large_provinces = 0
    group by 1

),

nodes as (

    {{ standard_normal_nodes() }}

),

standardized as (

    select
        margins.survey_id,
        margins.province_key,
        margins.question_code,
        margins.answer_option,
        national.national_latent_item_correlation,
        nodes.node_number,
        nodes.node_value,
        nodes.node_weight,
        (margins.threshold_z - sqrt(national.national_latent_item_correlation) * nodes.node_value)
            / sqrt(1e0 - national.national_latent_item_correlation) as conditional_threshold_z

    from margins
    inner join national_structure as national
        on national.survey_id = margins.survey_id
    cross join nodes

),

cumulative as (

    select
        *,
        case when conditional_threshold_z is null then 1e0
            else {{ normal_cdf('conditional_threshold_z') }} end as conditional_cumulative

    from standardized

)

select
    survey_id,
    province_key,
    question_code,
    answer_option,
    national_latent_item_correlation,
    node_number,
    node_value,
    node_weight,
    greatest(conditional_cumulative - coalesce(lag(conditional_cumulative) over (
        partition by survey_id, province_key, question_code, node_number
        order by answer_option
    ), 0e0), 0e0) as option_probability

from cumulative
