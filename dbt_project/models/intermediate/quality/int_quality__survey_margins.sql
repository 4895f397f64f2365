-- one row per survey, province, question and answer option of the question's scale: how many of
-- the province's respondents chose it, the cumulative share up to it, and the threshold on a
-- standard normal latent scale that cuts the scale there (probit of the cumulative share). The
-- survey null model (int_quality__survey_null_*) rebuilds honest answers from these thresholds.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

questions as (

    select
        survey_id,
        province_key,
        question_code,
        min(scale_min) as scale_min,
        max(scale_max) as scale_max,
        count(*) as answered

    from answers
    group by 1, 2, 3

),

option_offsets as (

    -- a scale of up to 100 options (SIPAS and PAPI use 1–5, some items 0–10)
    {{ replicate_numbers(100) }}

),

answer_options as (

    select
        questions.survey_id,
        questions.province_key,
        questions.question_code,
        questions.scale_min,
        questions.scale_max,
        questions.answered,
        questions.scale_min + option_offsets.replicate - 1 as answer_option

    from questions
    inner join option_offsets
        on option_offsets.replicate <= questions.scale_max - questions.scale_min + 1

),

option_counts as (

    select survey_id, province_key, question_code, answer, count(*) as option_answers
    from answers
    group by 1, 2, 3, 4

),

shares as (

    select
        options.*,
        coalesce(counts.option_answers, 0) as option_answers,
        coalesce(counts.option_answers, 0) * 1e0 / options.answered as option_share,
        sum(coalesce(counts.option_answers, 0)) over (
            partition by options.survey_id, options.province_key, options.question_code
            order by options.answer_option
            rows between unbounded preceding and current row
        ) * 1e0 / options.answered as cumulative_share

    from answer_options as options
    left join option_counts as counts
        on counts.survey_id = options.survey_id
        and counts.province_key = options.province_key
        and counts.question_code = options.question_code
        and counts.answer = options.answer_option

),

bounded as (

    -- an option nobody chose keeps a sliver of probability (1e-6) so thresholds stay finite
    select
        *,
        least(greatest(cumulative_share, 1e-6), 1e0 - 1e-6) as bounded_cumulative_share

    from shares

)

select
    survey_id,
    province_key,
    question_code,
    scale_min,
    scale_max,
    answered,
    answer_option,
    option_answers,
    option_share,
    cumulative_share,
    -- the top option has no upper threshold (+∞)
    case when answer_option < scale_max
        then {{ normal_quantile('bounded_cumulative_share') }} end as threshold_z

from bounded
