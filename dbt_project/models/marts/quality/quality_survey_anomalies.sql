-- one row per survey and province (the unit) and survey year (the period): every anomaly check of
-- SPEC 4 for survey data, what was observed beside what an honest province would show, and the
-- check's p-value corrected for the number of tests; the thresholds are Great Expectations
-- expectations over these columns (expectations/anomaly_surveys.json).
--
-- Each check's deviate (int_quality__survey_tests) is read against the survey's empirical null
-- (Efron 2004): the centre and spread of the deviates of all its provinces (median, 1.4826 ×
-- MAD), never narrower or lower than the theoretical null, so a misfit of the null model common
-- to every province does not flag them all. The p-values are then corrected by Holm's step-down
-- rule (1979) over every test of one survey round (one index and year: all its provinces × all
-- its checks), which keeps the chance of even one false flag in that round below the threshold.
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
{%- set checks = [
    ('survey_straight_lining', 'straight_lining'),
    ('survey_duplicate_vectors', 'duplicate_vector'),
    ('survey_near_duplicates', 'near_duplicate'),
    ('survey_short_interviews', 'short_interview'),
    ('survey_dominant_interviewer', 'top_interviewer'),
    ('survey_interviewer_variance', 'interviewer_variance'),
    ('survey_low_answer_variance', 'answer_variance'),
    ('survey_lost_structure', 'lost_structure'),
] %}
with counts as (

    select * from {{ ref('int_quality__survey_province_counts') }}

),

tests as (

    select * from {{ ref('int_quality__survey_tests') }}

),

null_model as (

    select * from {{ ref('int_quality__survey_null_model') }}

),

interviewer_effects as (

    select * from {{ ref('int_quality__survey_interviewer_effects') }}

),

structure as (

    select * from {{ ref('int_quality__survey_item_correlations') }}

),

null_centres as (

    select
        survey_id,
        check_name,
        {{ quality_median('mid_deviate') }} as null_centre

    from tests
    where judged
    group by 1, 2

),

empirical_nulls as (

    select
        tests.survey_id,
        tests.check_name,
        min(centres.null_centre) as null_centre,
        1.4826e0 * {{ quality_median('abs(tests.mid_deviate - centres.null_centre)') }} as null_spread

    from tests
    inner join null_centres as centres
        on centres.survey_id = tests.survey_id
        and centres.check_name = tests.check_name
    where tests.judged
    group by 1, 2

),

calibrated as (

    select
        tests.*,
        (tests.deviate - greatest(nulls.null_centre, 0e0)) / greatest(nulls.null_spread, 1e0)
            as calibrated_deviate

    from tests
    inner join empirical_nulls as nulls
        on nulls.survey_id = tests.survey_id
        and nulls.check_name = tests.check_name
    where tests.judged

),

p_values as (

    select
        *,
        {{ normal_upper_tail('calibrated_deviate') }} as p_value

    from calibrated

),

ranked as (

    select
        *,
        count(*) over (partition by survey_id) as survey_tests,
        row_number() over (partition by survey_id order by p_value, check_name, province_key)
            as p_rank

    from p_values

),

holm as (

    -- Holm: the i-th smallest of m p-values is multiplied by m − i + 1, and never falls below
    -- the adjusted value of a smaller one
    select
        survey_id,
        province_key,
        check_name,
        calibrated_deviate,
        survey_tests,
        max(least((survey_tests - p_rank + 1) * p_value, 1e0)) over (
            partition by survey_id order by p_rank
            rows between unbounded preceding and current row
        ) as p_adjusted

    from ranked

),

judged_tests as (

    select
        tests.survey_id,
        tests.province_key,
        tests.check_name,
        tests.observed_value,
        tests.reference_value,
        tests.expected_count,
        tests.null_standard_error,
        holm.calibrated_deviate,
        holm.p_adjusted,
        holm.survey_tests

    from tests
    left join holm
        on holm.survey_id = tests.survey_id
        and holm.province_key = tests.province_key
        and holm.check_name = tests.check_name

),

wide_tests as (

    select
        survey_id,
        province_key,
        max(survey_tests) as survey_tests,
        {%- for check, short in checks %}
        max(case when check_name = '{{ check }}' then observed_value end) as {{ short }}_observed,
        max(case when check_name = '{{ check }}' then reference_value end) as {{ short }}_reference,
        max(case when check_name = '{{ check }}' then expected_count end) as {{ short }}_expected_count,
        max(case when check_name = '{{ check }}' then null_standard_error end) as {{ short }}_null_se,
        -- rounded: the normal quantile of a tiny p-value differs in its 9th digit by engine
        round(max(case when check_name = '{{ check }}' then calibrated_deviate end), 6) as {{ short }}_z,
        max(case when check_name = '{{ check }}' then p_adjusted end) as {{ short }}_p_adjusted
        {{- ',' if not loop.last }}
        {%- endfor %}

    from judged_tests
    group by 1, 2

),

unit_indices as (

    select * from {{ ref('int_survey__unit_index') }}
    where respondent_type = 'all'

),

with_change as (

    -- last year's index of the same province, or of its predecessors pooled under it across
    -- the 2025 merger (the survey engine's `successor` basis)
    select
        counts.*,
        coalesce(same_unit.index_pct, predecessors.index_pct) as previous_index_pct,
        counts.index_pct - coalesce(same_unit.index_pct, predecessors.index_pct)
            as year_on_year_change_pct

    from counts
    left join unit_indices as same_unit
        on same_unit.unit_basis = 'own'
        and same_unit.survey_code = counts.survey_family
        and same_unit.survey_year = counts.survey_year - 1
        and same_unit.unit_key = counts.province_key
    left join unit_indices as predecessors
        on predecessors.unit_basis = 'successor'
        and predecessors.survey_code = counts.survey_family
        and predecessors.survey_year = counts.survey_year - 1
        and predecessors.unit_key = counts.province_key

),

change_medians as (

    select
        survey_id,
        {{ quality_median('year_on_year_change_pct') }} as year_on_year_national_change_pct

    from with_change
    group by 1

),

change_spreads as (

    select
        changes.survey_id,
        {{ quality_median('abs(changes.year_on_year_change_pct - medians.year_on_year_national_change_pct)') }}
            as year_on_year_mad

    from with_change as changes
    inner join change_medians as medians
        on medians.survey_id = changes.survey_id
    group by 1

)

select
    parts.survey_family,
    parts.index_code,
    parts.survey_id,
    parts.survey_year,
    'province' as unit_type,
    parts.province_key as unit_key,
    parts.code_system,
    'year' as period_type,
    make_date(parts.survey_year, 1, 1) as period_start,
    parts.respondents,
    parts.index_pct,
    parts.design_effect,
    parts.margin_of_error_pct,
    wide.survey_tests,
    parts.straight_line_respondents,
    wide.straight_lining_observed as straight_lining_share,
    wide.straight_lining_reference as straight_lining_expected_share,
    wide.straight_lining_z,
    wide.straight_lining_p_adjusted,
    parts.duplicate_vector_respondents,
    parts.duplicate_vector_pairs,
    parts.duplicate_vector_copies,
    wide.duplicate_vector_expected_count as duplicate_vector_expected_pairs,
    wide.duplicate_vector_reference as duplicate_vector_expected_respondents,
    wide.duplicate_vector_z,
    wide.duplicate_vector_p_adjusted,
    null_model.near_duplicate_threshold,
    parts.median_max_identical_share,
    parts.near_duplicate_respondents,
    wide.near_duplicate_observed as near_duplicate_share,
    wide.near_duplicate_reference as near_duplicate_expected_share,
    parts.near_duplicate_pairs,
    wide.near_duplicate_expected_count as near_duplicate_expected_pairs,
    wide.near_duplicate_z,
    wide.near_duplicate_p_adjusted,
    parts.timed_interviews,
    parts.short_interviews,
    wide.short_interview_observed as short_interview_share,
    wide.short_interview_reference as short_interview_base_rate,
    wide.short_interview_z,
    wide.short_interview_p_adjusted,
    parts.interviewed_respondents,
    parts.top_interviewer_id,
    wide.top_interviewer_observed as top_interviewer_share,
    wide.top_interviewer_reference as top_interviewer_national_share,
    wide.top_interviewer_z,
    wide.top_interviewer_p_adjusted,
    effects.interviewers,
    effects.distant_interviewer_id,
    wide.interviewer_variance_observed as distant_interviewer_difference,
    wide.interviewer_variance_reference as between_province_sd,
    effects.interviewer_sd,
    wide.interviewer_variance_z,
    wide.interviewer_variance_p_adjusted,
    structure.mean_item_correlation,
    structure.latent_item_correlation,
    null_model.national_latent_item_correlation,
    wide.answer_variance_null_se as latent_item_correlation_null_se,
    wide.answer_variance_z,
    wide.answer_variance_p_adjusted,
    wide.lost_structure_z,
    wide.lost_structure_p_adjusted,
    parts.previous_index_pct,
    parts.year_on_year_change_pct,
    change_medians.year_on_year_national_change_pct,
    -- spread floored at the sampling error of a change (two margins of error ÷ 1.96)
    {{ robust_z('parts.year_on_year_change_pct', 'change_medians.year_on_year_national_change_pct',
                'change_spreads.year_on_year_mad', 'sqrt(2e0) * parts.margin_of_error_pct / 1.96e0') }}
        as year_on_year_z

from with_change as parts
left join wide_tests as wide
    on wide.survey_id = parts.survey_id
    and wide.province_key = parts.province_key
left join null_model
    on null_model.survey_id = parts.survey_id
    and null_model.province_key = parts.province_key
left join interviewer_effects as effects
    on effects.survey_id = parts.survey_id
    and effects.province_key = parts.province_key
left join structure
    on structure.survey_id = parts.survey_id
    and structure.province_key = parts.province_key
left join change_medians
    on change_medians.survey_id = parts.survey_id
left join change_spreads
    on change_spreads.survey_id = parts.survey_id
