-- one row per survey and province: the mean correlation between the answers to two questions
-- over the province's respondents, averaged over every pair of questions. Honest answers keep
-- the questionnaire's structure (items of one respondent move together); invented ones lose it.
with answers as (

    select * from {{ ref('int_quality__survey_answers') }}

),

question_pairs as (

    select
        first_item.survey_id,
        first_item.province_key,
        first_item.question_code as first_question,
        second_item.question_code as second_question,
        {{ bounded_correlation('first_item.answer * 1e0', 'second_item.answer * 1e0') }}
            as item_correlation,
        count(*) as respondents

    from answers as first_item
    inner join answers as second_item
        on second_item.response_key = first_item.response_key
        and second_item.question_code > first_item.question_code
    group by 1, 2, 3, 4

)

select
    survey_id,
    province_key,
    avg(item_correlation) as mean_item_correlation,
    count(*) as question_pairs

from question_pairs
-- a pair answered identically by everyone has no correlation (null, or NaN on some engines;
-- NaN is never between -1 and 1) and is left out
where item_correlation between -1 and 1
group by 1, 2
