-- published: PAPI, released provinces ranked among them ("of 61" when two are not scored), their
-- quartile groups and their change on the previous round's released ranks; a province withheld
-- for noisy data keeps one total row that says "not scored" and why, with no score and no rank
{{ config(alias='papi_index_yearly') }}

with flagged as (

    select
        *,
        is_ranked and not is_withheld as is_ranked_released
    from (
        {{ with_yearly_publication(ref('papi_index_yearly'), 'survey_year',
                                   ['survey_year', 'province_key', 'component_code'],
                                   ['papi']) }}
    ) as rows

),

reranked as (

    select
        *,
        {{ competition_rank('score', ['survey_year', 'component_code'], 'is_ranked_released',
                            precision=var('papi_published_decimals')) }} as released_rank,
        {{ ranked_count('score', ['survey_year', 'component_code'], 'is_ranked_released') }}
            as released_rank_of
    from flagged

),

groups as (

    select * from {{ ref('index_rank_groups') }}
    where index_family = 'papi'

),

grouped as (

    select
        reranked.*,
        groups.group_code as released_group,
        groups.group_name_vi as released_group_name
    from reranked
    left join groups
        on {{ rank_group_condition('groups', 'reranked.released_rank',
                                   'reranked.released_rank_of') }}

),

released_or_total as (

    -- a withheld province shows once, on its total row
    select * from grouped
    where not is_withheld or component_code = 'total'

)

select
    current_round.survey_year,
    current_round.province_key,
    current_round.province_code,
    current_round.code_system,
    current_round.province_name,
    current_round.region_code,
    current_round.region_name,
    current_round.methodology_version,
    current_round.component_level,
    current_round.component_code,
    current_round.component_name,
    case when current_round.is_withheld then 'not_scored' else current_round.status end as status,
    case when current_round.is_withheld then current_round.withheld_reasons
        else current_round.not_computed_reason end as status_reason,
    current_round.respondents,
    current_round.scale_min,
    current_round.scale_max,
    case when not current_round.is_withheld then current_round.score end as score,
    case when not current_round.is_withheld then current_round.score_published end
        as score_published,
    case when not current_round.is_withheld then current_round.margin_of_error end
        as margin_of_error,
    case when not current_round.is_withheld then current_round.score_low end as score_low,
    case when not current_round.is_withheld then current_round.score_high end as score_high,
    current_round.is_ranked_released as is_ranked,
    cast(current_round.released_rank as integer) as rank,
    cast(current_round.released_rank_of as integer) as rank_of,
    current_round.released_group as rank_group,
    current_round.released_group_name as rank_group_name,
    case when not current_round.is_withheld then current_round.rank_best end as rank_best,
    case when not current_round.is_withheld then current_round.rank_worst end as rank_worst,
    previous_round.score_published as previous_score_published,
    case when not current_round.is_withheld then {{ published_round(
        'current_round.score_published - previous_round.score_published',
        var('papi_published_decimals')) }} end as score_change,
    cast(previous_round.released_rank as integer) as previous_rank,
    -- places gained on the previous round's released ranks
    cast(previous_round.released_rank - current_round.released_rank as integer) as rank_change,
    case when not current_round.is_withheld then current_round.rank_change_low end
        as rank_change_low,
    case when not current_round.is_withheld then current_round.rank_change_high end
        as rank_change_high,
    case when not current_round.is_withheld then current_round.rank_change_beyond_noise end
        as rank_change_beyond_noise,
    current_round.is_new_unit,
    current_round.comparable_previous_score,
    current_round.comparable_previous_rank,
    case when current_round.is_ranked_released then current_round.comparable_previous_rank
        - cast(current_round.released_rank as integer) end as comparable_rank_change,
    case when current_round.is_withheld then 'withheld' else 'published' end
        as publication_status,
    current_round.quality_flags

from released_or_total as current_round
left join grouped as previous_round
    on previous_round.survey_year = current_round.survey_year - 1
    and previous_round.province_key = current_round.province_key
    and previous_round.component_code = current_round.component_code
    and previous_round.is_ranked_released
