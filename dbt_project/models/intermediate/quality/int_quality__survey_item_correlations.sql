-- one row per survey and province: how strongly a respondent's answers move together (the
-- questionnaire's structure), as a latent correlation that does not shrink at the top of the
-- scale. Honest answers carry a respondent effect (items of one respondent move together);
-- invented ones lose it, answers by rote overdo it.
--
-- A Likert answer cuts a latent normal at its thresholds τ; to first order in the latent
-- correlation ρ, two answers correlate ρ × a_q × a_q', with a_q = Σ φ(τ) / sd_q the share of the
-- latent signal the question's cuts keep (Olsson 1979's polyserial ratio). A province answering
-- mostly 5 keeps little (a small a_q), so its raw correlations are small while ρ is not:
-- ρ̂ = Σ r / Σ a a' over the question pairs undoes that (its sampling error is taken under the
-- survey's null, in int_quality__survey_tests).
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

margins as (

    select * from {{ ref('int_quality__survey_margins') }}

),

question_spreads as (

    select
        survey_id,
        province_key,
        question_code,
        sqrt(sum(option_share * answer_option * answer_option)
            - sum(option_share * answer_option) * sum(option_share * answer_option)) as answer_sd,
        sum(case when threshold_z is not null
            then {{ normal_density('threshold_z') }} else 0e0 end) as latent_covariance

    from margins
    group by 1, 2, 3

),

question_signal as (

    select
        survey_id,
        province_key,
        question_code,
        -- a question everybody answered alike carries no signal
        case when answer_sd > 1e-9 then latent_covariance / answer_sd end as retained_signal

    from question_spreads

),

question_pairs as (

    select
        first_item.survey_id,
        first_item.province_key,
        first_item.question_code as first_question,
        second_item.question_code as second_question,
        {{ bounded_correlation('first_item.answer * 1e0', 'second_item.answer * 1e0') }}
            as item_correlation

    from answers as first_item
    inner join answers as second_item
        on second_item.response_key = first_item.response_key
        and second_item.question_code > first_item.question_code
    group by 1, 2, 3, 4

),

pairs_with_signal as (

    select
        pairs.survey_id,
        pairs.province_key,
        pairs.item_correlation,
        first_signal.retained_signal * second_signal.retained_signal as retained_signal_product

    from question_pairs as pairs
    inner join question_signal as first_signal
        on first_signal.survey_id = pairs.survey_id
        and first_signal.province_key = pairs.province_key
        and first_signal.question_code = pairs.first_question
    inner join question_signal as second_signal
        on second_signal.survey_id = pairs.survey_id
        and second_signal.province_key = pairs.province_key
        and second_signal.question_code = pairs.second_question
    -- a pair answered identically by everyone has no correlation (null, or NaN on some engines;
    -- NaN is never between -1 and 1) and is left out
    where pairs.item_correlation between -1 and 1
        and first_signal.retained_signal is not null
        and second_signal.retained_signal is not null

),

respondents as (

    select survey_id, province_key, count(distinct response_key) as respondents
    from answers
    group by 1, 2

),

questions as (

    select survey_id, province_key, count(*) as questions
    from question_signal
    group by 1, 2

),

province_structure as (

    select
        survey_id,
        province_key,
        count(*) as question_pairs,
        avg(item_correlation) as mean_item_correlation,
        avg(retained_signal_product) as mean_retained_signal,
        sum(item_correlation) / nullif(sum(retained_signal_product), 0) as latent_item_correlation

    from pairs_with_signal
    group by 1, 2

)

select
    structure.survey_id,
    structure.province_key,
    respondents.respondents,
    questions.questions,
    structure.question_pairs,
    structure.mean_item_correlation,
    structure.mean_retained_signal,
    structure.latent_item_correlation

from province_structure as structure
inner join respondents
    on respondents.survey_id = structure.survey_id
    and respondents.province_key = structure.province_key
inner join questions
    on questions.survey_id = structure.survey_id
    and questions.province_key = structure.province_key
