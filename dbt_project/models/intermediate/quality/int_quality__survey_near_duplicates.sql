-- one row per respondent: the highest share of identical answers with any other respondent of
-- the same survey and province (Kuriakose & Robbins 2016), observed and under the permutation
-- null (each question's answers shuffled within the province: same answer distributions, no
-- respondent behind them). Pairs are formed within a province only, which bounds the join.
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

observed as (

    select
        'observed' as answer_set, survey_id, province_key, response_key, question_code, answer
    from answers

),

permuted as (

    select
        'permuted' as answer_set,
        placed.survey_id,
        placed.province_key,
        placed.response_key,
        placed.question_code,
        drawn.answer

    from answers as placed
    inner join answers as drawn
        on drawn.survey_id = placed.survey_id
        and drawn.province_key = placed.province_key
        and drawn.question_code = placed.question_code
        and drawn.permuted_position = placed.respondent_position

),

answer_sets as (

    select * from observed
    union all
    select * from permuted

),

pairs as (

    select
        one.answer_set,
        one.survey_id,
        one.province_key,
        one.response_key,
        other.response_key as other_response_key,
        count(*) as common_questions,
        sum(case when one.answer = other.answer then 1 else 0 end) as identical_answers

    from answer_sets as one
    inner join answer_sets as other
        on other.answer_set = one.answer_set
        and other.survey_id = one.survey_id
        and other.province_key = one.province_key
        and other.question_code = one.question_code
        and other.response_key <> one.response_key
    group by 1, 2, 3, 4, 5

),

permuted_shapes as (

    -- straight lines the permutation produces by chance (a homogeneous province makes many)
    select
        response_key,
        count(*) >= 5 and count(distinct answer) = 1 as is_null_straight_line,
        var_samp(answer * 1e0) as null_answer_variance

    from permuted
    group by response_key

),

best_match as (

    select
        answer_set,
        survey_id,
        province_key,
        response_key,
        max(identical_answers * 1e0 / common_questions) as max_identical_share

    from pairs
    -- a share over fewer than five common questions says nothing
    where common_questions >= 5
    group by 1, 2, 3, 4

)

select
    observed.survey_id,
    observed.province_key,
    observed.response_key,
    observed.max_identical_share,
    permuted.max_identical_share as null_max_identical_share,
    coalesce(permuted_shapes.is_null_straight_line, false) as is_null_straight_line,
    permuted_shapes.null_answer_variance

from best_match as observed
left join best_match as permuted
    on permuted.answer_set = 'permuted'
    and permuted.response_key = observed.response_key
left join permuted_shapes
    on permuted_shapes.response_key = observed.response_key
where observed.answer_set = 'observed'
