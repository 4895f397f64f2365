-- published: SIPAS, released provinces only, ranked among them (a province withheld for noisy data is
-- neither ranked nor counted in "of M"); the change is on the previous round's released ranks,
-- the intervals stay as computed
{{ config(alias='sipas_index_yearly') }}

with scores as (

    select
        *,
        make_date(cast(survey_year as integer), 1, 1) as round_start,
        make_date(cast(survey_year as integer) + 1, 1, 1) as round_end
    from {{ ref('sipas_index_yearly') }}

),

flags as (

    {{ publication_flags('scores', ['survey_year', 'province_key', 'element_code'], 'province_key', 'round_start', 'round_end',
                         ['sipas']) }}

),

released as (

    select scores.*, flags.quality_flags
    from scores
    left join flags
        on flags.survey_year = scores.survey_year
        and flags.province_key = scores.province_key
        and flags.element_code = scores.element_code
    where not coalesce(flags.is_withheld, false)

),

reranked as (

    select
        released.*,
        {{ competition_rank('released.index_pct', partition_by=['released.survey_year', 'released.element_code'], is_ranked='released.is_ranked') }} as released_rank,
        {{ ranked_count('released.index_pct', partition_by=['released.survey_year', 'released.element_code'], is_ranked='released.is_ranked') }} as released_rank_of
    from released

)

select
    released.survey_year,
    released.province_key,
    released.province_code,
    released.code_system,
    released.province_name,
    released.region_code,
    released.region_name,
    released.element_code,
    released.element_name,
    released.status,
    released.not_computed_reason,
    released.index_rule,
    released.index_rule_source,
    released.respondents,
    released.design_effect,
    released.index_pct,
    released.index_pct_published,
    released.margin_of_error_pct,
    released.margin_of_error_formula,
    released.index_low_pct,
    released.index_high_pct,
    released.is_ranked,
    cast(released.released_rank as integer) as rank,
    cast(released.released_rank_of as integer) as rank_of,
    released.rank_best,
    released.rank_worst,
    cast(previous_round.released_rank as integer) as previous_rank,
    -- places gained since the previous round, both ranks among released units
    cast(previous_round.released_rank - released.released_rank as integer) as rank_change,
    released.rank_change_low,
    released.rank_change_high,
    released.rank_change_beyond_noise,
    released.is_new_unit,
    released.comparable_previous_index_pct,
    released.comparable_previous_rank,
    released.comparable_rank_change,
    released.answers_out_of_scale,
    'published' as publication_status,
    released.quality_flags

from reranked as released
left join reranked as previous_round
    on previous_round.survey_year = released.survey_year - 1
    and previous_round.province_key = released.province_key
    and previous_round.element_code = released.element_code
