-- how often two honest respondents of a survey and province give the same answer to m or more of
-- its questions, under the null model (int_quality__survey_null_answers). One row per survey,
-- province and m (from half the questions up): the chance for a pair of respondents, and the
-- chance that a respondent's best match among the province's other respondents reaches m (the
-- Kuriakose & Robbins statistic).
--
-- For two respondents at respondent effects a and a', question q matches with probability
-- s_q = Σ_v P(v | a) P(v | a'), independently across questions; the number of matches is then
-- Poisson-binomial, whose distribution is computed exactly by its discrete Fourier transform
-- (Fernández & Williams 2010): P(M = m) = 1/(Q+1) Σ_j Re(e^{-iθ_j m} Π_q (1 − s_q + s_q e^{iθ_j})),
-- θ_j = 2πj/(Q+1), the product carried as a sum of log-moduli and of arguments.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with null_answers as (

    select * from {{ ref('int_quality__survey_null_answers') }}

),

respondents as (

    select survey_id, province_key, count(distinct response_key) as respondents
    from {{ ref('int_quality__survey_answers') }}
    group by 1, 2

),

question_counts as (

    select survey_id, province_key, count(distinct question_code) as questions
    from null_answers
    group by 1, 2

),

numbers as (

    {{ replicate_numbers(1000) }}

),

question_matches as (

    -- pairs of nodes: the lower node first (the chance is symmetric in the two respondents)
    select
        first_node.survey_id,
        first_node.province_key,
        first_node.question_code,
        first_node.node_number as first_node_number,
        second_node.node_number as second_node_number,
        sum(first_node.option_probability * second_node.option_probability) as match_probability

    from null_answers as first_node
    inner join null_answers as second_node
        on second_node.survey_id = first_node.survey_id
        and second_node.province_key = first_node.province_key
        and second_node.question_code = first_node.question_code
        and second_node.answer_option = first_node.answer_option
        and second_node.node_number >= first_node.node_number
    group by 1, 2, 3, 4, 5

),

frequencies as (

    select
        counts.survey_id,
        counts.province_key,
        counts.questions,
        numbers.replicate - 1 as frequency,
        2e0 * pi() * (numbers.replicate - 1) / (counts.questions + 1) as angle

    from question_counts as counts
    inner join numbers
        on numbers.replicate <= counts.questions + 1

),

transformed as (

    select
        matches.survey_id,
        matches.province_key,
        matches.first_node_number,
        matches.second_node_number,
        frequencies.questions,
        frequencies.frequency,
        frequencies.angle,
        sum(0.5e0 * ln(greatest(
            (1e0 - matches.match_probability + matches.match_probability * cos(frequencies.angle))
            * (1e0 - matches.match_probability + matches.match_probability * cos(frequencies.angle))
            + matches.match_probability * sin(frequencies.angle)
            * matches.match_probability * sin(frequencies.angle), 1e-300))) as log_modulus,
        sum(atan2(matches.match_probability * sin(frequencies.angle),
                  1e0 - matches.match_probability + matches.match_probability * cos(frequencies.angle)))
            as argument

    from question_matches as matches
    inner join frequencies
        on frequencies.survey_id = matches.survey_id
        and frequencies.province_key = matches.province_key
    group by 1, 2, 3, 4, 5, 6, 7

),

match_counts as (

    select
        transformed.survey_id,
        transformed.province_key,
        transformed.first_node_number,
        transformed.second_node_number,
        numbers.replicate - 1 as matches,
        greatest(sum(exp(transformed.log_modulus)
            * cos(transformed.argument - transformed.angle * (numbers.replicate - 1)))
            / (min(transformed.questions) + 1), 0e0) as match_count_probability

    from transformed
    inner join numbers
        on numbers.replicate <= transformed.questions + 1
        -- a best match below half the questions is no near-duplicate: only the upper half
        and 2 * (numbers.replicate - 1) >= transformed.questions
    group by 1, 2, 3, 4, 5

),

pair_tails as (

    select
        survey_id,
        province_key,
        first_node_number,
        second_node_number,
        matches,
        least(sum(match_count_probability) over (
            partition by survey_id, province_key, first_node_number, second_node_number
            order by matches desc
            rows between unbounded preceding and current row
        ), 1e0) as at_least_probability

    from match_counts

),

both_orders as (

    select survey_id, province_key, first_node_number as node_number,
        second_node_number as other_node_number, matches, at_least_probability
    from pair_tails
    union all
    select survey_id, province_key, second_node_number, first_node_number, matches,
        at_least_probability
    from pair_tails
    where second_node_number > first_node_number

),

node_weights as (

    {{ standard_normal_nodes() }}

),

per_respondent as (

    -- a respondent at a node against a random other respondent of the province
    select
        tails.survey_id,
        tails.province_key,
        tails.node_number,
        tails.matches,
        min(own.node_weight) as node_weight,
        sum(other.node_weight * tails.at_least_probability) as at_least_probability

    from both_orders as tails
    inner join node_weights as own
        on own.node_number = tails.node_number
    inner join node_weights as other
        on other.node_number = tails.other_node_number
    group by 1, 2, 3, 4

)

select
    per_respondent.survey_id,
    per_respondent.province_key,
    min(counts.questions) as questions,
    min(respondents.respondents) as respondents,
    per_respondent.matches,
    sum(per_respondent.node_weight * per_respondent.at_least_probability) as pair_at_least_probability,
    -- the respondent's best match among the n − 1 others (independent given the respondent)
    sum(per_respondent.node_weight * (1e0 - power(1e0 - least(per_respondent.at_least_probability, 1e0),
        respondents.respondents - 1))) as best_match_at_least_probability

from per_respondent
inner join respondents
    on respondents.survey_id = per_respondent.survey_id
    and respondents.province_key = per_respondent.province_key
inner join question_counts as counts
    on counts.survey_id = per_respondent.survey_id
    and counts.province_key = per_respondent.province_key
group by per_respondent.survey_id, per_respondent.province_key, per_respondent.matches
