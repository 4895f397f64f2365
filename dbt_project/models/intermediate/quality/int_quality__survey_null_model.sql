-- one row per survey and province: what honest respondents of that province would produce by
-- chance under the null model (int_quality__survey_null_answers, _null_matches) — the chance of a
-- straight line, of two respondents identical on every question (straight lines aside), and the
-- near-duplicate cut-off: the smallest share of identical answers that a respondent's best match
-- reaches for no more than `quality_near_duplicate_expected_share` of honest respondents. The
-- cut-off follows the survey's number of questions and options, the province's homogeneity and
-- its number of respondents, not a fixed 85% (Pew Research Center 2016).
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with null_answers as (

    select * from {{ ref('int_quality__survey_null_answers') }}

),

null_matches as (

    select * from {{ ref('int_quality__survey_null_matches') }}

),

question_counts as (

    select survey_id, province_key, count(distinct question_code) as questions
    from null_answers
    group by 1, 2

),

option_lines as (

    -- per node and option: the log-chance that a respondent at that node chooses the option on
    -- every question (an option missing from some question's scale cannot make a straight line)
    select
        null_answers.survey_id,
        null_answers.province_key,
        null_answers.node_number,
        null_answers.answer_option,
        min(null_answers.node_weight) as node_weight,
        min(null_answers.national_latent_item_correlation) as national_latent_item_correlation,
        count(*) as questions_with_option,
        sum(ln(greatest(null_answers.option_probability, 1e-300))) as log_line_probability

    from null_answers
    group by 1, 2, 3, 4

),

complete_lines as (

    select lines.*
    from option_lines as lines
    inner join question_counts as counts
        on counts.survey_id = lines.survey_id
        and counts.province_key = lines.province_key
        and counts.questions = lines.questions_with_option

),

straight_lines as (

    select
        survey_id,
        province_key,
        min(national_latent_item_correlation) as national_latent_item_correlation,
        sum(node_weight * exp(log_line_probability)) as straight_line_probability

    from complete_lines
    group by 1, 2

),

straight_line_pairs as (

    -- two respondents (at any two nodes) on the same straight line
    select
        first_line.survey_id,
        first_line.province_key,
        sum(first_line.node_weight * second_line.node_weight
            * exp(first_line.log_line_probability + second_line.log_line_probability))
            as straight_line_pair_probability

    from complete_lines as first_line
    inner join complete_lines as second_line
        on second_line.survey_id = first_line.survey_id
        and second_line.province_key = first_line.province_key
        and second_line.answer_option = first_line.answer_option
    group by 1, 2

),

identical_pairs as (

    select
        null_matches.survey_id,
        null_matches.province_key,
        min(null_matches.respondents) as respondents,
        min(null_matches.questions) as questions,
        -- every question matches
        min(case when null_matches.matches = null_matches.questions
            then null_matches.pair_at_least_probability end) as identical_pair_probability

    from null_matches
    group by 1, 2

),

cutoffs as (

    -- where even identical answers on every question are that common by chance (a province
    -- answering nearly all alike), the cut-off is every question, with its larger expectation
    select
        survey_id,
        province_key,
        coalesce(min(case when best_match_at_least_probability
                <= {{ var('quality_near_duplicate_expected_share') }} then matches end),
            max(matches)) as near_duplicate_cutoff_matches

    from null_matches
    group by 1, 2

)

select
    identical.survey_id,
    identical.province_key,
    identical.respondents,
    identical.questions,
    lines.national_latent_item_correlation,
    lines.straight_line_probability,
    greatest(identical.identical_pair_probability - coalesce(line_pairs.straight_line_pair_probability, 0e0),
             0e0) as identical_pair_probability,
    cutoffs.near_duplicate_cutoff_matches,
    cutoffs.near_duplicate_cutoff_matches * 1e0 / identical.questions as near_duplicate_threshold,
    at_cutoff.pair_at_least_probability as near_duplicate_pair_probability,
    at_cutoff.best_match_at_least_probability as near_duplicate_expected_share

from identical_pairs as identical
inner join straight_lines as lines
    on lines.survey_id = identical.survey_id
    and lines.province_key = identical.province_key
left join straight_line_pairs as line_pairs
    on line_pairs.survey_id = identical.survey_id
    and line_pairs.province_key = identical.province_key
left join cutoffs
    on cutoffs.survey_id = identical.survey_id
    and cutoffs.province_key = identical.province_key
left join null_matches as at_cutoff
    on at_cutoff.survey_id = cutoffs.survey_id
    and at_cutoff.province_key = cutoffs.province_key
    and at_cutoff.matches = cutoffs.near_duplicate_cutoff_matches
