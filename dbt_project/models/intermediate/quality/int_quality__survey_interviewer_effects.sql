-- one row per survey and province: how far the answers of one interviewer's respondents differ
-- from those of the province's other interviewers. Respondents of one province are comparable,
-- so honest interviewers differ by little more than sampling; one who invents or leads answers
-- stands apart.
--
-- Over the interviewers with at least `quality_survey_min_interviewer_respondents` interviews:
-- each interviewer's respondents' mean answer against the rest of the province's, a two-sided
-- t test on the within-interviewer mean square of a one-way analysis of variance (t² is F with 1
-- and n − k degrees of freedom, read by Paulson's normal approximation, 1942); the most distant
-- interviewer's p-value corrected for the number of interviewers (Šidák). Also
-- the interviewer variance component ((MSB − MSW) / n₀, floored at 0), beside which the
-- provinces' spread is shown.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with respondents as (

    select * from {{ ref('int_quality__survey_respondents') }}

),

interviewed as (

    select
        survey_id,
        province_key,
        interviewer_id,
        mean_answer,
        count(*) over (partition by survey_id, province_key, interviewer_id) as interviewer_load

    from respondents
    where interviewer_id is not null

),

teams as (

    select *
    from interviewed
    where interviewer_load >= {{ var('quality_survey_min_interviewer_respondents') }}

),

interviewer_sums as (

    select
        survey_id,
        province_key,
        interviewer_id,
        count(*) as interviews,
        sum(mean_answer) as answer_sum,
        sum(mean_answer * mean_answer) - sum(mean_answer) * sum(mean_answer) / count(*)
            as within_sum_of_squares

    from teams
    group by 1, 2, 3

),

province_sums as (

    select
        survey_id,
        province_key,
        count(*) as interviewers,
        sum(interviews) as interviewed_respondents,
        sum(answer_sum) as answer_sum,
        sum(within_sum_of_squares) as within_sum_of_squares,
        sum(interviews * interviews) as sum_of_squared_loads

    from interviewer_sums
    group by 1, 2

),

mean_squares as (

    select
        *,
        interviewed_respondents - interviewers as within_df,
        within_sum_of_squares / nullif(interviewed_respondents - interviewers, 0)
            as within_mean_square,
        -- the average load, corrected for unequal loads
        (interviewed_respondents - sum_of_squared_loads * 1e0 / interviewed_respondents)
            / nullif(interviewers - 1, 0) as effective_load

    from province_sums
    where interviewers >= 2 and interviewed_respondents - interviewers >= 2

),

interviewer_tests as (

    select
        one.survey_id,
        one.province_key,
        one.interviewer_id,
        one.interviews,
        one.answer_sum / one.interviews as interviewer_mean,
        (province.answer_sum - one.answer_sum) / (province.interviewed_respondents - one.interviews)
            as rest_mean,
        province.interviewers,
        province.interviewed_respondents,
        province.within_df,
        province.within_mean_square,
        province.effective_load,
        province.answer_sum / province.interviewed_respondents as province_mean

    from interviewer_sums as one
    inner join mean_squares as province
        on province.survey_id = one.survey_id
        and province.province_key = one.province_key
    where province.within_mean_square > 0

),

squared_t as (

    select
        *,
        (interviewer_mean - rest_mean) * (interviewer_mean - rest_mean)
            / (within_mean_square * (1e0 / interviews
                                     + 1e0 / (interviewed_respondents - interviews)))
            as t_squared

    from interviewer_tests

),

paulson as (

    -- t² ~ F(1, d): z = ((1 − 2/(9d)) F^⅓ − 7/9) / √(2/(9d) F^⅔ + 2/9)
    select
        *,
        ((1e0 - 2e0 / (9e0 * within_df)) * power(t_squared, 1e0 / 3) - 7e0 / 9)
            / sqrt(2e0 / (9e0 * within_df) * power(t_squared, 2e0 / 3) + 2e0 / 9)
            as interviewer_z

    from squared_t

),

ranked as (

    select
        *,
        row_number() over (
            partition by survey_id, province_key order by interviewer_z desc, interviewer_id
        ) as distance_rank,
        sum(interviews * (interviewer_mean - province_mean) * (interviewer_mean - province_mean))
            over (partition by survey_id, province_key) as between_sum_of_squares

    from paulson

),

distance_p_values as (

    select
        *,
        {{ normal_upper_tail('interviewer_z') }} as interviewer_p_value

    from ranked
    where distance_rank = 1

),

most_distant as (

    -- the smallest of k p-values, corrected for having looked at k (Šidák: 1 − (1 − p)^k, which
    -- stays uniform under the null where k × p would pile up at 1)
    select
        *,
        least(greatest(case
            when interviewer_p_value < 1e-8 then interviewers * interviewer_p_value
            else 1e0 - exp(interviewers * ln(1e0 - interviewer_p_value))
        end, 1e-300), 1e0 - 1e-15) as province_p_value

    from distance_p_values

)

select
    survey_id,
    province_key,
    interviewers,
    interviewed_respondents,
    interviewer_id as distant_interviewer_id,
    interviewer_mean - rest_mean as distant_interviewer_difference,
    sqrt(within_mean_square) as within_interviewer_sd,
    sqrt(greatest((between_sum_of_squares / (interviewers - 1) - within_mean_square)
        / nullif(effective_load, 0), 0e0)) as interviewer_sd,
    -{{ normal_quantile('province_p_value') }} as interviewer_deviate

from most_distant
