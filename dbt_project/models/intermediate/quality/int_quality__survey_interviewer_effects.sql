-- one row per survey and province: how far the answers of one interviewer's respondents differ
-- from the other interviewers' of the same province. A one-way analysis of variance of each
-- respondent's mean answer on the interviewer, over the interviewers with at least
-- `quality_survey_min_interviewer_respondents` interviews: F = between-interviewer mean square ÷
-- within, with its normal deviate by Paulson's approximation (1942) of the F distribution, and
-- the interviewer variance component ((MSB − MSW) / n₀, floored at 0) beside the spread between
-- provinces. Respondents of one province are comparable, so honest interviewers differ by little
-- more than sampling; one who invents answers stands apart.
with respondents as (

    select * from {{ ref('int_quality__survey_respondents') }}

),

interviewed as (

    select
        respondents.survey_id,
        respondents.province_key,
        respondents.interviewer_id,
        respondents.mean_answer,
        count(*) over (
            partition by respondents.survey_id, respondents.province_key, respondents.interviewer_id
        ) as interviewer_load

    from respondents
    where respondents.interviewer_id is not null

),

teams as (

    select *
    from interviewed
    where interviewer_load >= {{ var('quality_survey_min_interviewer_respondents') }}

),

interviewer_means as (

    select
        survey_id,
        province_key,
        interviewer_id,
        count(*) as interviews,
        avg(mean_answer) as interviewer_mean,
        sum(mean_answer * mean_answer) - count(*) * avg(mean_answer) * avg(mean_answer)
            as within_sum_of_squares

    from teams
    group by 1, 2, 3

),

province_means as (

    select
        survey_id,
        province_key,
        count(*) as interviewed_respondents,
        avg(mean_answer) as province_mean

    from teams
    group by 1, 2

),

anova as (

    select
        interviewers.survey_id,
        interviewers.province_key,
        count(*) as interviewers,
        min(provinces.interviewed_respondents) as interviewed_respondents,
        sum(interviewers.interviews * (interviewers.interviewer_mean - provinces.province_mean)
            * (interviewers.interviewer_mean - provinces.province_mean)) as between_sum_of_squares,
        sum(interviewers.within_sum_of_squares) as within_sum_of_squares,
        sum(interviewers.interviews * interviewers.interviews) as sum_of_squared_loads

    from interviewer_means as interviewers
    inner join province_means as provinces
        on provinces.survey_id = interviewers.survey_id
        and provinces.province_key = interviewers.province_key
    group by 1, 2

),

mean_squares as (

    select
        *,
        interviewers - 1 as between_df,
        interviewed_respondents - interviewers as within_df,
        between_sum_of_squares / nullif(interviewers - 1, 0) as between_mean_square,
        within_sum_of_squares / nullif(interviewed_respondents - interviewers, 0) as within_mean_square,
        -- the average load, corrected for unequal loads
        (interviewed_respondents - sum_of_squared_loads * 1e0 / interviewed_respondents)
            / nullif(interviewers - 1, 0) as effective_load

    from anova

),

f_ratios as (

    select
        *,
        between_mean_square / nullif(within_mean_square, 0) as f_ratio

    from mean_squares
    where interviewers >= 2 and within_df >= 2

)

select
    survey_id,
    province_key,
    interviewers,
    interviewed_respondents,
    between_df,
    within_df,
    f_ratio,
    sqrt(greatest((between_mean_square - within_mean_square) / nullif(effective_load, 0), 0e0))
        as interviewer_sd,
    sqrt(within_mean_square) as within_interviewer_sd,
    -- Paulson: ((1 − 2/(9d₂)) F^⅓ − (1 − 2/(9d₁))) / √(2/(9d₂) F^⅔ + 2/(9d₁))
    ((1e0 - 2e0 / (9e0 * within_df)) * power(f_ratio, 1e0 / 3) - (1e0 - 2e0 / (9e0 * between_df)))
        / sqrt(2e0 / (9e0 * within_df) * power(f_ratio, 2e0 / 3) + 2e0 / (9e0 * between_df))
        as interviewer_f_z

from f_ratios
