-- one row per survey and province (the unit) and survey year (the period): every anomaly metric
-- of SPEC 4 for survey data beside its national reference; the thresholds are Great
-- Expectations expectations over these columns (expectations/anomaly_surveys.json)
with respondents as (

    select * from {{ ref('int_quality__survey_respondents') }}

),

near_duplicates as (

    select * from {{ ref('int_quality__survey_near_duplicates') }}

),

item_correlations as (

    select * from {{ ref('int_quality__survey_item_correlations') }}

),

successors as (

    select * from {{ ref('provinces_2008_2025') }}

),

mode_lengths as (

    -- the survey's typical interview length per mode, over the whole country
    select
        survey_id,
        mode,
        {{ quality_median('interview_seconds') }} as national_median_seconds

    from respondents
    where interview_seconds is not null
    group by 1, 2

),

respondent_flags as (

    select
        respondents.*,
        -- implausibly short: under 40% of the country's median for the same survey and mode
        case
            when respondents.interview_seconds is null then null
            when respondents.interview_seconds < 0.4e0 * mode_lengths.national_median_seconds then 1
            else 0
        end as is_short_interview,
        case when vector_counts.same_vector_respondents > 1 and not respondents.is_straight_line
            then 1 else 0 end as has_duplicate_vector

    from respondents
    left join mode_lengths
        on mode_lengths.survey_id = respondents.survey_id
        and mode_lengths.mode = respondents.mode
    left join (
        select survey_id, province_key, answer_vector, count(*) as same_vector_respondents
        from respondents
        group by 1, 2, 3
    ) as vector_counts
        on vector_counts.survey_id = respondents.survey_id
        and vector_counts.province_key = respondents.province_key
        and vector_counts.answer_vector = respondents.answer_vector

),

near_duplicate_null as (

    -- the province's own level of chance agreement (permutation null)
    select
        survey_id,
        province_key,
        {{ quality_median('null_max_identical_share') }} as null_median_identical_share

    from near_duplicates
    group by 1, 2

),

near_duplicate_excess as (

    select
        near_duplicates.*,
        near_duplicates.max_identical_share - near_duplicate_null.null_median_identical_share
            as identical_share_above_chance,
        near_duplicate_null.null_median_identical_share

    from near_duplicates
    inner join near_duplicate_null
        on near_duplicate_null.survey_id = near_duplicates.survey_id
        and near_duplicate_null.province_key = near_duplicates.province_key

),

near_duplicate_centre as (

    select
        survey_id,
        {{ quality_median('identical_share_above_chance') }} as median_above_chance

    from near_duplicate_excess
    group by 1

),

near_duplicate_cutoff as (

    -- calibrated for the survey (its questions and answer options) over the whole country: how
    -- far a respondent's best match exceeds the province's chance level, median + 3 robust
    -- standard deviations (1.4826 × MAD) — robust to the few provinces whose data are copied
    select
        excess.survey_id,
        min(centre.median_above_chance) + 3 * 1.4826e0 * {{ quality_median(
            'abs(excess.identical_share_above_chance - centre.median_above_chance)') }}
            as cutoff_above_chance

    from near_duplicate_excess as excess
    inner join near_duplicate_centre as centre
        on centre.survey_id = excess.survey_id
    group by 1

),

near_duplicate_provinces as (

    select
        near_duplicate_excess.survey_id,
        near_duplicate_excess.province_key,
        count(*) as matched_respondents,
        min(near_duplicate_excess.null_median_identical_share + near_duplicate_cutoff.cutoff_above_chance)
            as near_duplicate_threshold,
        -- at or above the cutoff: shares are steps of 1 ÷ questions, so the cutoff is one of them
        avg(case when near_duplicate_excess.identical_share_above_chance
                >= near_duplicate_cutoff.cutoff_above_chance then 1e0 else 0e0 end)
            as near_duplicate_share,
        {{ quality_median('near_duplicate_excess.max_identical_share') }} as median_max_identical_share,
        -- exact duplicates (identical on every common question, straight lines aside) and straight
        -- lines under the permutation null of the province's own answer distributions
        avg(case when near_duplicate_excess.null_max_identical_share >= 1
                and not near_duplicate_excess.is_null_straight_line then 1e0 else 0e0 end)
            as null_exact_match_share,
        avg(case when near_duplicate_excess.is_null_straight_line then 1e0 else 0e0 end)
            as null_straight_lining_share,
        {{ quality_median('near_duplicate_excess.null_answer_variance') }} as null_answer_variance

    from near_duplicate_excess
    inner join near_duplicate_cutoff
        on near_duplicate_cutoff.survey_id = near_duplicate_excess.survey_id
    group by 1, 2

),

interviewer_loads as (

    select
        survey_id,
        province_key,
        interviewer_id,
        count(*) as interviews

    from respondents
    where interviewer_id is not null
    group by 1, 2, 3

),

top_interviewers as (

    select
        survey_id,
        province_key,
        cast(sum(interviews) as bigint) as interviewed_respondents,
        max(interviews) as top_interviewer_interviews,
        -- ties broken by the id, so reruns name the same interviewer
        min(interviewer_id) filter (where is_top) as top_interviewer_id

    from (
        select
            *,
            interviews = max(interviews) over (partition by survey_id, province_key) as is_top
        from interviewer_loads
    ) as loads
    group by 1, 2

),

province_metrics as (

    select
        flags.survey_family,
        flags.index_code,
        flags.survey_id,
        flags.survey_year,
        flags.province_key,
        min(flags.code_system) as code_system,
        count(*) as respondents,
        100 * sum(flags.sampling_weight * flags.satisfied_share) / nullif(sum(flags.sampling_weight), 0)
            as satisfied_index_pct,
        -- Kish design effect of unequal weights: n Σw² / (Σw)²
        count(*) * sum(flags.sampling_weight * flags.sampling_weight)
            / nullif(sum(flags.sampling_weight) * sum(flags.sampling_weight), 0) as design_effect,
        stddev_samp(flags.satisfied_share) as satisfied_share_sd,
        avg(case when flags.is_straight_line then 1e0 else 0e0 end) as straight_lining_share,
        cast(sum(flags.has_duplicate_vector) as bigint) as duplicate_vector_respondents,
        avg(flags.has_duplicate_vector * 1e0) as duplicate_vector_share,
        avg(flags.is_short_interview * 1e0) as short_interview_share,
        {{ quality_median('flags.answer_variance') }} as median_answer_variance

    from respondent_flags as flags
    group by 1, 2, 3, 4, 5

),

with_parts as (

    select
        metrics.*,
        -- 95% margin of error of the satisfied index, in percentage points
        100 * 1.96e0 * sqrt(metrics.design_effect) * metrics.satisfied_share_sd
            / sqrt(metrics.respondents) as margin_of_error_pct,
        near.near_duplicate_share,
        near.near_duplicate_threshold,
        near.median_max_identical_share,
        -- straight lines are their own check: both sides leave them out
        metrics.duplicate_vector_share - near.null_exact_match_share
            as duplicate_vector_excess_share,
        metrics.straight_lining_share - near.null_straight_lining_share
            as straight_lining_excess_share,
        near.null_straight_lining_share,
        -- within-respondent variance against the province's pooled spread (permutation null):
        -- honest respondents vary less than the province, by-rote ones far less
        metrics.median_answer_variance / nullif(near.null_answer_variance, 0)
            as answer_variance_to_null,
        interviewers.interviewed_respondents,
        interviewers.top_interviewer_id,
        interviewers.top_interviewer_interviews * 1e0
            / nullif(interviewers.interviewed_respondents, 0) as top_interviewer_share,
        correlations.mean_item_correlation

    from province_metrics as metrics
    left join near_duplicate_provinces as near
        on near.survey_id = metrics.survey_id
        and near.province_key = metrics.province_key
    left join top_interviewers as interviewers
        on interviewers.survey_id = metrics.survey_id
        and interviewers.province_key = metrics.province_key
    left join item_correlations as correlations
        on correlations.survey_id = metrics.survey_id
        and correlations.province_key = metrics.province_key

),

national_medians as (

    select
        survey_id,
        {{ quality_median('straight_lining_share') }} as straight_lining_national_share,
        {{ quality_median('straight_lining_excess_share') }} as straight_lining_national_excess,
        {{ quality_median('duplicate_vector_share') }} as duplicate_vector_national_share,
        {{ quality_median('duplicate_vector_excess_share') }} as duplicate_vector_national_excess,
        {{ quality_median('near_duplicate_share') }} as near_duplicate_national_share,
        {{ quality_median('top_interviewer_share') }} as top_interviewer_national_share,
        {{ quality_median('short_interview_share') }} as short_interview_national_share,
        {{ quality_median('answer_variance_to_null') }} as national_answer_variance,
        {{ quality_median('mean_item_correlation') }} as national_item_correlation

    from with_parts
    group by 1

),

national_spreads as (

    select
        parts.survey_id,
        {{ quality_median('abs(parts.straight_lining_excess_share - medians.straight_lining_national_excess)') }}
            as straight_lining_mad,
        {{ quality_median('abs(parts.duplicate_vector_excess_share - medians.duplicate_vector_national_excess)') }}
            as duplicate_vector_mad,
        {{ quality_median('abs(parts.near_duplicate_share - medians.near_duplicate_national_share)') }}
            as near_duplicate_mad,
        {{ quality_median('abs(parts.top_interviewer_share - medians.top_interviewer_national_share)') }}
            as top_interviewer_mad,
        {{ quality_median('abs(parts.short_interview_share - medians.short_interview_national_share)') }}
            as short_interview_mad

    from with_parts as parts
    inner join national_medians as medians
        on medians.survey_id = parts.survey_id
    group by 1

),

previous_year as (

    -- last year's index per province, carried into this year's code system: old provinces
    -- join their 2025 successor with their respondents' weights pooled (rates recomputed)
    select
        metrics.survey_family,
        metrics.survey_year + 1 as survey_year,
        metrics.code_system as previous_code_system,
        case when metrics.code_system = 'gso63'
            then 'gso34:' || successors.successor_code_2025 end as successor_province_key,
        metrics.province_key,
        metrics.satisfied_index_pct,
        metrics.respondents

    from province_metrics as metrics
    left join successors
        on metrics.code_system = 'gso63'
        and 'gso63:' || successors.province_code = metrics.province_key

),

previous_merged as (

    select
        survey_family,
        survey_year,
        successor_province_key as province_key,
        sum(satisfied_index_pct * respondents) / nullif(sum(respondents), 0)
            as satisfied_index_pct

    from previous_year
    where successor_province_key is not null
    group by 1, 2, 3

),

with_change as (

    select
        parts.*,
        coalesce(same_units.satisfied_index_pct, merged.satisfied_index_pct)
            as previous_satisfied_index_pct

    from with_parts as parts
    left join previous_year as same_units
        on same_units.survey_family = parts.survey_family
        and same_units.survey_year = parts.survey_year
        and same_units.province_key = parts.province_key
    left join previous_merged as merged
        on parts.code_system = 'gso34'
        and merged.survey_family = parts.survey_family
        and merged.survey_year = parts.survey_year
        and merged.province_key = parts.province_key

),

with_change_delta as (

    select
        *,
        satisfied_index_pct - previous_satisfied_index_pct as year_on_year_change_pct

    from with_change

),

change_medians as (

    select
        survey_id,
        {{ quality_median('year_on_year_change_pct') }} as year_on_year_national_change_pct

    from with_change_delta
    group by 1

),

change_spreads as (

    select
        deltas.survey_id,
        {{ quality_median('abs(deltas.year_on_year_change_pct - medians.year_on_year_national_change_pct)') }}
            as year_on_year_mad

    from with_change_delta as deltas
    inner join change_medians as medians
        on medians.survey_id = deltas.survey_id
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
    parts.satisfied_index_pct,
    parts.design_effect,
    parts.margin_of_error_pct,
    parts.straight_lining_share,
    medians.straight_lining_national_share,
    parts.null_straight_lining_share,
    parts.straight_lining_excess_share,
    -- judged above the province's own chance level: a homogeneous province straight-lines often
    {{ robust_share_z('parts.straight_lining_excess_share', 'medians.straight_lining_national_excess',
                      'spreads.straight_lining_mad', 'parts.respondents') }} as straight_lining_z,
    parts.duplicate_vector_respondents,
    parts.duplicate_vector_share,
    medians.duplicate_vector_national_share,
    parts.duplicate_vector_excess_share,
    {{ robust_share_z('parts.duplicate_vector_excess_share', 'medians.duplicate_vector_national_excess',
                      'spreads.duplicate_vector_mad', 'parts.respondents') }} as duplicate_vector_z,
    parts.near_duplicate_threshold,
    parts.median_max_identical_share,
    parts.near_duplicate_share,
    medians.near_duplicate_national_share,
    -- near-duplicates come in pairs or more (a match flags both respondents), so the share's
    -- sampling error is floored as for a 5% share, not 1%
    {{ robust_share_z('parts.near_duplicate_share', 'medians.near_duplicate_national_share',
                      'spreads.near_duplicate_mad', 'parts.respondents', '0.05e0') }}
        as near_duplicate_z,
    parts.interviewed_respondents,
    parts.top_interviewer_id,
    parts.top_interviewer_share,
    medians.top_interviewer_national_share,
    {{ robust_share_z('parts.top_interviewer_share', 'medians.top_interviewer_national_share',
                      'spreads.top_interviewer_mad', 'parts.interviewed_respondents') }}
        as top_interviewer_z,
    parts.short_interview_share,
    medians.short_interview_national_share,
    {{ robust_share_z('parts.short_interview_share', 'medians.short_interview_national_share',
                      'spreads.short_interview_mad', 'parts.respondents') }} as short_interview_z,
    parts.answer_variance_to_null,
    medians.national_answer_variance,
    parts.answer_variance_to_null / nullif(medians.national_answer_variance, 0)
        as answer_variance_ratio,
    parts.mean_item_correlation,
    medians.national_item_correlation,
    -- only meaningful where the country's answers are correlated at all
    case when medians.national_item_correlation >= 0.1e0
        then parts.mean_item_correlation / medians.national_item_correlation end
        as item_correlation_ratio,
    parts.previous_satisfied_index_pct,
    parts.year_on_year_change_pct,
    change_medians.year_on_year_national_change_pct,
    -- spread floored at the sampling error of a change (two margins of error ÷ 1.96)
    {{ robust_z('parts.year_on_year_change_pct', 'change_medians.year_on_year_national_change_pct',
                'change_spreads.year_on_year_mad', 'sqrt(2e0) * parts.margin_of_error_pct / 1.96e0') }}
        as year_on_year_z

from with_change_delta as parts
inner join national_medians as medians
    on medians.survey_id = parts.survey_id
inner join national_spreads as spreads
    on spreads.survey_id = parts.survey_id
left join change_medians
    on change_medians.survey_id = parts.survey_id
left join change_spreads
    on change_spreads.survey_id = parts.survey_id
