-- one row per survey, province and statistical survey check (SPEC 4): whether the province has
-- enough respondents to be judged, what was observed beside what an honest province would show,
-- and the check's normal deviate. The mart (quality_survey_anomalies) turns the deviates into
-- p-values against the survey's empirical null and corrects them for the number of tests.
--
-- Counts (straight lines, identical pairs, near-duplicate pairs, short interviews) are judged
-- against a Poisson law with the null model's expectation: rare coincidences among many
-- respondents or pairs (Chen–Stein). The tail is summed exactly; its deviate is z = Φ⁻¹(1 − p)
-- with p = P(X ≥ k), and the mid-p deviate (P(X > k) + ½P(X = k)) is kept to estimate the
-- empirical null, since a discrete p-value piles up at 1 where nothing happened.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
{%- set min_respondents = var('quality_survey_min_respondents') %}
with counts as (

    select * from {{ ref('int_quality__survey_province_counts') }}

),

null_model as (

    select * from {{ ref('int_quality__survey_null_model') }}

),

structure as (

    select * from {{ ref('int_quality__survey_item_correlations') }}

),

interviewer_effects as (

    select * from {{ ref('int_quality__survey_interviewer_effects') }}

),

numbers as (

    {{ replicate_numbers(1000) }}

),

provinces as (

    select
        counts.*,
        null_model.straight_line_probability,
        null_model.identical_pair_probability,
        null_model.near_duplicate_threshold,
        null_model.near_duplicate_pair_probability,
        null_model.near_duplicate_expected_share,
        null_model.national_latent_item_correlation,
        structure.latent_item_correlation,
        structure.mean_item_correlation,
        structure.mean_retained_signal,
        structure.questions,
        counts.respondents * (counts.respondents - 1) / 2e0 as respondent_pairs,
        counts.short_interviews * 1e0 / nullif(counts.timed_interviews, 0) as short_interview_share,
        counts.top_interviewer_interviews * 1e0 / nullif(counts.interviewed_respondents, 0)
            as top_interviewer_share

    from counts
    left join null_model
        on null_model.survey_id = counts.survey_id
        and null_model.province_key = counts.province_key
    left join structure
        on structure.survey_id = counts.survey_id
        and structure.province_key = counts.province_key

),

national as (

    select
        survey_id,
        -- short interviews: the country's median share, but never below the base rate of honest
        -- fieldwork (a country where nobody is fast says nothing about one fast interview)
        greatest(
            coalesce({{ quality_median('case when timed_interviews >= ' ~ min_respondents ~ ' then short_interview_share end') }}, 0e0),
            {{ var('quality_short_interview_base_rate') }}) as short_interview_base_rate,
        {{ quality_median('case when interviewed_respondents >= ' ~ min_respondents ~ ' then top_interviewer_share end') }}
            as top_interviewer_national_share,
        {{ quality_median('mean_answer') }} as national_mean_answer

    from provinces
    group by 1

),

national_spreads as (

    -- robust spreads between provinces (1.4826 × MAD): of the busiest interviewer's share, and of
    -- the provinces' mean answers (what the interviewers of one province are compared with)
    select
        provinces.survey_id,
        1.4826e0 * {{ quality_median('case when provinces.interviewed_respondents >= ' ~ min_respondents ~ ' then abs(provinces.top_interviewer_share - national.top_interviewer_national_share) end') }}
            as top_interviewer_spread,
        1.4826e0 * {{ quality_median('abs(provinces.mean_answer - national.national_mean_answer)') }}
            as between_province_sd

    from provinces
    inner join national
        on national.survey_id = provinces.survey_id
    group by 1

),

structure_tests as (

    -- the mean inter-item correlation r of k questions over n respondents against the one the
    -- survey's latent correlation gives the province's questions (r₀ = ρ × mean a a'), on
    -- Fisher's scale for an intraclass correlation, Z(r) = ½ ln((1 + (k−1) r) / (1 − r)), whose
    -- sampling error √(k / (2 (k−1) (n−2))) does not depend on r (Fisher 1925, §39)
    select
        survey_id,
        province_key,
        respondents,
        questions,
        latent_item_correlation,
        national_latent_item_correlation,
        0.5e0 * ln((1e0 + (questions - 1) * bounded_correlation) / (1e0 - bounded_correlation))
            - 0.5e0 * ln((1e0 + (questions - 1) * null_correlation) / (1e0 - null_correlation))
            as fisher_difference,
        sqrt(questions / (2e0 * (questions - 1e0) * (respondents - 2e0))) as fisher_se

    from (
        select
            *,
            least(greatest(mean_item_correlation, -1e0 / (questions - 1) + 1e-6), 1e0 - 1e-6)
                as bounded_correlation,
            least(national_latent_item_correlation * mean_retained_signal, 1e0 - 1e-6)
                as null_correlation
        from provinces
        where questions >= 2 and respondents > 2
    ) as with_null

),

count_checks as (

    select survey_id, province_key, 'survey_straight_lining' as check_name,
        respondents >= {{ min_respondents }} as judged,
        straight_line_respondents as observed_count,
        respondents * straight_line_probability as expected_count,
        straight_line_respondents * 1e0 / respondents as observed_value,
        straight_line_probability as reference_value
    from provinces
    union all
    -- copies beyond the first of each answer vector, against the pairs expected to coincide: the
    -- two agree for rare vectors, and a vector likely enough to recur (a homogeneous province's
    -- "all 5 but one 4") makes a group whose copies stay near that expectation, its pairs do not
    select survey_id, province_key, 'survey_duplicate_vectors',
        respondents >= {{ min_respondents }},
        duplicate_vector_copies,
        respondent_pairs * identical_pair_probability,
        duplicate_vector_respondents * 1e0,
        2 * respondent_pairs * identical_pair_probability
    from provinces
    union all
    -- respondents reaching the cut-off come in pairs at least: half of them (rounded up)
    -- against the pairs expected to reach it
    select survey_id, province_key, 'survey_near_duplicates',
        respondents >= {{ min_respondents }} and near_duplicate_threshold is not null,
        cast(ceiling(near_duplicate_respondents / 2e0) as bigint),
        respondent_pairs * near_duplicate_pair_probability,
        near_duplicate_respondents * 1e0 / respondents,
        near_duplicate_expected_share
    from provinces
    union all
    select provinces.survey_id, provinces.province_key, 'survey_short_interviews',
        provinces.timed_interviews >= {{ min_respondents }},
        provinces.short_interviews,
        provinces.timed_interviews * national.short_interview_base_rate,
        provinces.short_interview_share,
        national.short_interview_base_rate
    from provinces
    inner join national
        on national.survey_id = provinces.survey_id

),

poisson_terms as (

    -- P(X = j) for the Poisson law of each count, j up to where the tail has vanished
    select
        checks.survey_id,
        checks.province_key,
        checks.check_name,
        numbers.replicate - 1 as j,
        exp((numbers.replicate - 1) * ln(greatest(checks.expected_count, 1e-12))
            - greatest(checks.expected_count, 1e-12)
            - sum(ln(greatest(numbers.replicate - 1, 1))) over (
                partition by checks.survey_id, checks.province_key, checks.check_name
                order by numbers.replicate
                rows between unbounded preceding and current row
            )) as probability

    from count_checks as checks
    inner join numbers
        on numbers.replicate - 1 <= greatest(checks.observed_count, checks.expected_count)
            + 10 * sqrt(checks.expected_count) + 60
    where checks.judged
        and checks.observed_count < 900
        and checks.expected_count < 600

),

poisson_tails as (

    select
        checks.survey_id,
        checks.province_key,
        checks.check_name,
        sum(case when terms.j < checks.observed_count then terms.probability else 0e0 end)
            as below_probability,
        sum(case when terms.j >= checks.observed_count then terms.probability else 0e0 end)
            as at_least_probability,
        sum(case when terms.j = checks.observed_count then terms.probability else 0e0 end)
            as exactly_probability

    from count_checks as checks
    inner join poisson_terms as terms
        on terms.survey_id = checks.survey_id
        and terms.province_key = checks.province_key
        and terms.check_name = checks.check_name
    group by 1, 2, 3

),

wilson_hilferty as (

    -- beyond the exact table: P(X ≥ k) = P(χ²₂ₖ ≤ 2λ), by Wilson & Hilferty (1931)
    select
        checks.*,
        tails.check_name is not null as has_exact_tail,
        tails.below_probability,
        tails.at_least_probability,
        coalesce(tails.exactly_probability, 0e0) as exactly_probability,
        3e0 * sqrt(greatest(checks.observed_count, 1)) * (power(checks.expected_count
            / greatest(checks.observed_count, 1), 1e0 / 3) - 1e0
            + 1e0 / (9e0 * greatest(checks.observed_count, 1))) as wilson_hilferty_z

    from count_checks as checks
    left join poisson_tails as tails
        on tails.survey_id = checks.survey_id
        and tails.province_key = checks.province_key
        and tails.check_name = checks.check_name
    where checks.judged

),

count_p_values as (

    select
        *,
        least(greatest(case
            when observed_count = 0 then 1e0
            when not has_exact_tail then {{ normal_cdf('wilson_hilferty_z') }}
            when observed_count > expected_count then at_least_probability
            else 1e0 - below_probability
        end, 1e-300), 1e0 - 1e-15) as p_value

    from wilson_hilferty

),

count_deviates as (

    select
        *,
        least(greatest(p_value - 0.5e0 * exactly_probability, 1e-300), 1e0 - 1e-15) as mid_p_value

    from count_p_values

),

count_results as (

    select
        survey_id, province_key, check_name, true as judged, observed_count, expected_count,
        cast(null as double) as null_standard_error, observed_value, reference_value,
        -{{ normal_quantile('p_value') }} as deviate,
        -{{ normal_quantile('mid_p_value') }} as mid_deviate
    from count_deviates
    union all
    select
        survey_id, province_key, check_name, false, observed_count, expected_count,
        cast(null as double), observed_value, reference_value, cast(null as double),
        cast(null as double)
    from count_checks
    where not judged

),

continuous_results as (

    -- one interviewer's share of the province's interviews against the other provinces' top
    -- interviewers: robust distance, never narrower than the binomial error of the share
    select
        provinces.survey_id, provinces.province_key, 'survey_dominant_interviewer' as check_name,
        coalesce(provinces.interviewed_respondents >= {{ min_respondents }}, false) as judged,
        provinces.top_interviewer_interviews as observed_count,
        cast(null as double) as expected_count,
        cast(null as double) as null_standard_error,
        provinces.top_interviewer_share as observed_value,
        national.top_interviewer_national_share as reference_value,
        (provinces.top_interviewer_share - national.top_interviewer_national_share)
            / nullif(greatest(spreads.top_interviewer_spread,
                sqrt(national.top_interviewer_national_share
                    * (1e0 - national.top_interviewer_national_share)
                    / provinces.interviewed_respondents)), 0) as deviate
    from provinces
    inner join national
        on national.survey_id = provinces.survey_id
    inner join national_spreads as spreads
        on spreads.survey_id = provinces.survey_id
    union all
    -- one interviewer's respondents answering apart from the rest of the province (t test,
    -- Šidák correction over the province's interviewers)
    select
        provinces.survey_id, provinces.province_key, 'survey_interviewer_variance',
        coalesce(effects.interviewer_deviate is not null, false),
        effects.interviewers,
        cast(null as double),
        cast(null as double),
        abs(effects.distant_interviewer_difference),
        spreads.between_province_sd,
        effects.interviewer_deviate
    from provinces
    inner join national_spreads as spreads
        on spreads.survey_id = provinces.survey_id
    left join interviewer_effects as effects
        on effects.survey_id = provinces.survey_id
        and effects.province_key = provinces.province_key
    union all
    -- the item structure's two tails: answers by rote (a respondent's answers move together
    -- far more than the survey's) and invented answers (the questionnaire's structure lost)
    select
        structure_tests.survey_id, structure_tests.province_key, tails.check_name,
        structure_tests.respondents >= {{ min_respondents }},
        structure_tests.respondents,
        cast(null as double),
        structure_tests.fisher_se,
        structure_tests.latent_item_correlation,
        structure_tests.national_latent_item_correlation,
        tails.direction * structure_tests.fisher_difference / structure_tests.fisher_se
    from structure_tests
    cross join (values ('survey_low_answer_variance', 1e0), ('survey_lost_structure', -1e0))
        as tails(check_name, direction)

)

select
    survey_id, province_key, check_name, judged, cast(observed_count as double) as observed_count,
    expected_count, null_standard_error, observed_value, reference_value, deviate, mid_deviate
from count_results
union all
select
    survey_id, province_key, check_name, judged and deviate is not null,
    cast(observed_count as double), expected_count, null_standard_error, observed_value,
    reference_value, case when judged then deviate end, case when judged then deviate end
from continuous_results
