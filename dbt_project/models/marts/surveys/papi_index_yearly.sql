-- one row per PAPI year, province and component (the total out of 80, the 8 dimensions on 1–10, the 28 sub-dimensions): the score at PAPI's four decimals with its 95% margin of error and interval, rank "N of M", quartile group, change against the previous year, and a comparable figure for units new that year
with years as (

    select * from {{ ref('int_survey__years') }}
    where survey_code = 'papi'

),

units as (

    select distinct survey_year, unit_key
    from {{ ref('int_survey__responses') }}
    where survey_code = 'papi'

),

versions as (

    select distinct survey_year, methodology_version from {{ ref('int_papi__methodology') }}

),

scores as (

    select * from {{ ref('int_papi__scores') }}

),

own as (

    select survey_year, unit_key, component_level, component_code, component_name, score,
        scale_min, scale_max, parts_scored, parts, respondents
    from scores
    where unit_basis = 'own'

),

unscored_units as (

    -- a unit of a round that is not computed, or whose total cannot be (a dimension with no
    -- answer at all): one total row, so the unit shows, unranked, with the reason
    select
        units.survey_year, units.unit_key, 'total' as component_level,
        'total' as component_code, 'Chỉ số PAPI (tổng 8 nội dung)' as component_name,
        cast(null as double) as score, cast(null as double) as scale_min,
        cast(null as double) as scale_max, cast(null as bigint) as parts_scored,
        cast(null as bigint) as parts, cast(null as bigint) as respondents
    from units
    where not exists (
        select 1 from own
        where own.survey_year = units.survey_year and own.unit_key = units.unit_key
            and own.component_code = 'total'
    )

),

with_status as (

    select
        rows.*,
        case when years.status = 'computed' and rows.score is null then 'not_computed'
            else years.status end as status,
        case
            when years.status <> 'computed' then years.not_computed_reason
            when rows.score is null and rows.component_code = 'total'
                then {{ dbt.concat(["'only '", "cast(coalesce(rows.parts_scored, 0) as "
                                    ~ dbt.type_string() ~ ")", "' of the dimensions answered'"]) }}
            when rows.score is null then 'no answer'
        end as not_computed_reason,
        years.status = 'computed' and rows.score is not null as is_ranked
    from (select * from own union all select * from unscored_units) as rows
    inner join years on years.survey_year = rows.survey_year

),

ranked as (

    select
        *,
        {{ published_round('score', var('papi_published_decimals')) }} as score_published,
        {{ competition_rank('score', ['survey_year', 'component_code'], 'is_ranked',
                            precision=var('papi_published_decimals')) }} as rank,
        {{ ranked_count('score', ['survey_year', 'component_code'], 'is_ranked') }} as rank_of
    from with_status

),

groups as (

    select * from {{ ref('index_rank_groups') }}
    where index_family = 'papi'

),

comparable as (

    select
        survey_year,
        unit_key,
        component_code,
        score,
        {{ competition_rank('score', ['survey_year', 'component_code'],
                            precision=var('papi_published_decimals')) }} as rank
    from scores
    where unit_basis = 'successor'

),

first_year as (

    select min(survey_year) as survey_year from years

),

intervals as (

    select * from {{ ref('int_papi__intervals') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

)

select
    ranked.survey_year,
    ranked.unit_key as province_key,
    provinces.province_code,
    provinces.code_system,
    provinces.province_name,
    provinces.region_code,
    provinces.region_name,
    versions.methodology_version,
    ranked.component_level,
    ranked.component_code,
    ranked.component_name,
    ranked.status,
    ranked.not_computed_reason,
    cast(ranked.respondents as bigint) as respondents,
    ranked.scale_min,
    ranked.scale_max,
    ranked.score,
    ranked.score_published,
    1.96e0 * intervals.score_sd as margin_of_error,
    intervals.score_low,
    intervals.score_high,
    ranked.is_ranked,
    cast(ranked.rank as integer) as rank,
    cast(ranked.rank_of as integer) as rank_of,
    groups.group_code as rank_group,
    groups.group_name_vi as rank_group_name,
    cast(intervals.rank_best as integer) as rank_best,
    cast(intervals.rank_worst as integer) as rank_worst,
    previous_year.score_published as previous_score_published,
    {{ published_round('ranked.score_published - previous_year.score_published',
                       var('papi_published_decimals')) }} as score_change,
    cast(previous_year.rank as integer) as previous_rank,
    cast(previous_year.rank - ranked.rank as integer) as rank_change,
    cast(intervals.rank_change_low as integer) as rank_change_low,
    cast(intervals.rank_change_high as integer) as rank_change_high,
    intervals.rank_change_beyond_noise,
    ranked.survey_year > first_year.survey_year and previous_unit.unit_key is null
        as is_new_unit,
    comparable.score as comparable_previous_score,
    cast(comparable.rank as integer) as comparable_previous_rank,
    cast(comparable.rank - ranked.rank as integer) as comparable_rank_change

from ranked
cross join first_year
left join versions on versions.survey_year = ranked.survey_year
left join provinces on provinces.province_key = ranked.unit_key
left join groups
    on {{ rank_group_condition('groups', 'ranked.rank', 'ranked.rank_of') }}
left join ranked as previous_year
    on previous_year.survey_year = ranked.survey_year - 1
    and previous_year.unit_key = ranked.unit_key
    and previous_year.component_code = ranked.component_code
left join (select distinct survey_year, unit_key from units) as previous_unit
    on previous_unit.survey_year = ranked.survey_year - 1
    and previous_unit.unit_key = ranked.unit_key
left join comparable
    on comparable.survey_year = ranked.survey_year - 1
    and comparable.unit_key = ranked.unit_key
    and comparable.component_code = ranked.component_code
    and previous_unit.unit_key is null
left join intervals
    on intervals.survey_year = ranked.survey_year
    and intervals.unit_key = ranked.unit_key
    and intervals.component_code = ranked.component_code
