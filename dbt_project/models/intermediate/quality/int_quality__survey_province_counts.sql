-- one row per survey and province: the counts the survey checks judge (straight lines, identical
-- questionnaires, near-duplicate pairs, short interviews, the busiest interviewer's load), beside
-- the index and its margin of error as the survey engine computes them (one definition)
{{ config(tags=['yearly']) }}  -- built with the survey indices it reads, whole
with respondents as (

    select * from {{ ref('int_quality__survey_respondents') }}

),

near_duplicates as (

    select * from {{ ref('int_quality__survey_near_duplicates') }}

),

unit_indices as (

    select * from {{ ref('int_survey__unit_index') }}
    where unit_basis = 'own' and respondent_type = 'all'

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

vector_groups as (

    -- respondents who gave the same answer to every question, straight lines aside
    select
        survey_id,
        province_key,
        answer_vector,
        count(*) as same_vector_respondents

    from respondents
    where not is_straight_line
    group by 1, 2, 3

),

duplicate_counts as (

    select
        survey_id,
        province_key,
        cast(sum(case when same_vector_respondents > 1 then same_vector_respondents else 0 end)
            as bigint) as duplicate_vector_respondents,
        cast(sum(same_vector_respondents * (same_vector_respondents - 1) / 2) as bigint)
            as duplicate_vector_pairs,
        -- the copies beyond the first of each vector: what the check counts (pairs would
        -- count a group of k identical questionnaires k(k−1)/2 times)
        cast(sum(same_vector_respondents - 1) as bigint) as duplicate_vector_copies

    from vector_groups
    group by 1, 2

),

near_duplicate_counts as (

    select
        survey_id,
        province_key,
        {{ quality_median('max_identical_share') }} as median_max_identical_share,
        cast(sum(case when near_duplicate_partners > 0 then 1 else 0 end) as bigint)
            as near_duplicate_respondents,
        -- each pair is counted by both of its respondents
        cast(sum(near_duplicate_partners) / 2 as bigint) as near_duplicate_pairs

    from near_duplicates
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
        end as is_short_interview

    from respondents
    left join mode_lengths
        on mode_lengths.survey_id = respondents.survey_id
        and mode_lengths.mode = respondents.mode

),

interviewer_loads as (

    select survey_id, province_key, interviewer_id, count(*) as interviews
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
        survey_family,
        index_code,
        survey_id,
        survey_year,
        province_key,
        min(code_system) as code_system,
        count(*) as respondents,
        avg(mean_answer) as mean_answer,
        cast(sum(case when is_straight_line then 1 else 0 end) as bigint) as straight_line_respondents,
        cast(count(is_short_interview) as bigint) as timed_interviews,
        cast(sum(is_short_interview) as bigint) as short_interviews

    from respondent_flags
    group by 1, 2, 3, 4, 5

)

select
    metrics.survey_family,
    metrics.index_code,
    metrics.survey_id,
    metrics.survey_year,
    metrics.province_key,
    metrics.code_system,
    metrics.respondents,
    indices.index_pct,
    indices.design_effect,
    indices.margin_of_error_pct,
    metrics.mean_answer,
    metrics.straight_line_respondents,
    coalesce(duplicates.duplicate_vector_respondents, 0) as duplicate_vector_respondents,
    coalesce(duplicates.duplicate_vector_pairs, 0) as duplicate_vector_pairs,
    coalesce(duplicates.duplicate_vector_copies, 0) as duplicate_vector_copies,
    near.median_max_identical_share,
    coalesce(near.near_duplicate_respondents, 0) as near_duplicate_respondents,
    coalesce(near.near_duplicate_pairs, 0) as near_duplicate_pairs,
    metrics.timed_interviews,
    metrics.short_interviews,
    interviewers.interviewed_respondents,
    interviewers.top_interviewer_id,
    interviewers.top_interviewer_interviews

from province_metrics as metrics
left join unit_indices as indices
    on indices.survey_code = metrics.survey_family
    and indices.survey_year = metrics.survey_year
    and indices.unit_key = metrics.province_key
left join duplicate_counts as duplicates
    on duplicates.survey_id = metrics.survey_id
    and duplicates.province_key = metrics.province_key
left join near_duplicate_counts as near
    on near.survey_id = metrics.survey_id
    and near.province_key = metrics.province_key
left join top_interviewers as interviewers
    on interviewers.survey_id = metrics.survey_id
    and interviewers.province_key = metrics.province_key
