-- one row per respondent: the highest share of identical answers with any other respondent of
-- the same survey and province (Kuriakose & Robbins 2016), and how many of the others reach the
-- province's calibrated near-duplicate cut-off (int_quality__survey_null_model) with them.
--
-- Pairs are formed within a province only, which bounds the join, and compared as bit sets: per
-- respondent and answer option, one 60-bit word per 60 questions marks the questions answered
-- with that option, so a pair's identical answers are the bits two such words share (one row
-- per pair, word and option instead of one per pair and question). An extra "option" -1 marks
-- every question answered, for the questions two respondents have in common.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

null_model as (

    select * from {{ ref('int_quality__survey_null_model') }}

),

question_numbers as (

    select
        survey_id,
        question_code,
        row_number() over (partition by survey_id order by question_code) - 1 as question_number

    from answers
    group by 1, 2

),

respondents as (

    -- every respondent numbered, and every survey's province (the stratum pairs are formed in):
    -- the pairs are grouped by two integers instead of four strings
    select
        survey_id,
        province_key,
        response_key,
        row_number() over (order by survey_id, province_key, response_key) as response_number,
        dense_rank() over (order by survey_id, province_key) as stratum_number

    from answers
    group by 1, 2, 3

),

answer_bits as (

    select
        respondents.stratum_number,
        respondents.response_number,
        answers.answer,
        floor(numbers.question_number / 60e0) as word,
        cast(power(2, numbers.question_number - 60 * floor(numbers.question_number / 60e0)) as bigint)
            as bit

    from answers
    inner join question_numbers as numbers
        on numbers.survey_id = answers.survey_id
        and numbers.question_code = answers.question_code
    inner join respondents
        on respondents.survey_id = answers.survey_id
        and respondents.province_key = answers.province_key
        and respondents.response_key = answers.response_key

),

option_words as (

    select stratum_number, response_number, word, answer as answer_option,
        cast(sum(bit) as bigint) as question_bits
    from answer_bits
    group by 1, 2, 3, 4
    union all
    select stratum_number, response_number, word, -1, cast(sum(bit) as bigint)
    from answer_bits
    group by 1, 2, 3

),

pairs as (

    -- each unordered pair once
    select
        one.stratum_number,
        one.response_number,
        other.response_number as other_response_number,
        sum(case when one.answer_option = -1
            then {{ popcount('one.question_bits & other.question_bits') }} else 0 end)
            as common_questions,
        sum(case when one.answer_option <> -1
            then {{ popcount('one.question_bits & other.question_bits') }} else 0 end)
            as identical_answers

    from option_words as one
    inner join option_words as other
        on other.stratum_number = one.stratum_number
        and other.word = one.word
        and other.answer_option = one.answer_option
        and other.response_number > one.response_number
    group by 1, 2, 3

),

strata as (

    select distinct stratum_number, survey_id, province_key
    from respondents

),

judged_pairs as (

    select
        pairs.response_number,
        pairs.other_response_number,
        pairs.identical_answers * 1e0 / pairs.common_questions as identical_share,
        -- at or above the cut-off: shares are steps of 1 ÷ questions, so compare counts
        case when pairs.identical_answers * null_model.questions
                >= null_model.near_duplicate_cutoff_matches * pairs.common_questions
            then 1 else 0 end as is_near_duplicate

    from pairs
    inner join strata
        on strata.stratum_number = pairs.stratum_number
    inner join null_model
        on null_model.survey_id = strata.survey_id
        and null_model.province_key = strata.province_key
    -- a share over fewer than five common questions says nothing
    where pairs.common_questions >= 5

),

both_sides as (

    select response_number, identical_share, is_near_duplicate
    from judged_pairs
    union all
    select other_response_number, identical_share, is_near_duplicate
    from judged_pairs

),

respondent_matches as (

    select
        response_number,
        max(identical_share) as max_identical_share,
        cast(sum(is_near_duplicate) as bigint) as near_duplicate_partners

    from both_sides
    group by 1

)

select
    respondents.survey_id,
    respondents.province_key,
    respondents.response_key,
    respondent_matches.max_identical_share,
    respondent_matches.near_duplicate_partners

from respondent_matches
inner join respondents
    on respondents.response_number = respondent_matches.response_number
