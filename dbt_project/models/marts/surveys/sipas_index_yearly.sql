-- one row per SIPAS year, province and element (and 'overall'): the index with respondents, design effect, margin of error, rank "N of M" with its 95% bootstrap interval, change against the previous year, and a comparable figure for units new that year
with years as (

    select * from {{ ref('int_survey__years') }}
    where survey_code = 'sipas'

),

units as (

    select distinct survey_year, unit_key
    from {{ ref('int_survey__responses') }}
    where survey_code = 'sipas'

),

elements as (

    select survey_year, unit_basis, unit_key, element_code, element_name, respondents,
        design_effect, index_pct, margin_of_error_pct, margin_of_error_formula,
        answers_out_of_scale
    from {{ ref('int_survey__element_index') }}
    where survey_code = 'sipas' and respondent_type = 'all'

),

overall as (

    select survey_year, unit_basis, unit_key, 'overall' as element_code,
        'Chỉ số hài lòng chung (trung bình 5 yếu tố)' as element_name, respondents,
        design_effect, index_pct, margin_of_error_pct, 'mean' as margin_of_error_formula,
        answers_out_of_scale
    from {{ ref('int_survey__unit_index') }}
    where survey_code = 'sipas' and respondent_type = 'all'

),

indices as (

    select * from elements
    union all
    select * from overall

),

own as (

    select * from indices where unit_basis = 'own'

),

not_computed as (

    select units.survey_year, 'own' as unit_basis, units.unit_key, 'overall' as element_code,
        'Chỉ số hài lòng chung (trung bình 5 yếu tố)' as element_name,
        cast(null as bigint) as respondents, cast(null as double) as design_effect,
        cast(null as double) as index_pct, cast(null as double) as margin_of_error_pct,
        cast(null as {{ dbt.type_string() }}) as margin_of_error_formula,
        cast(null as bigint) as answers_out_of_scale
    from units
    inner join years on years.survey_year = units.survey_year and years.status = 'not_computed'

),

published as (

    select
        rows.*,
        years.status,
        years.not_computed_reason,
        years.index_rule,
        years.index_rule_source,
        years.status = 'computed' and rows.index_pct is not null as is_ranked
    from (select * from own union all select * from not_computed) as rows
    inner join years on years.survey_year = rows.survey_year

),

ranked as (

    select
        *,
        {{ published_round('index_pct') }} as index_pct_published,
        {{ competition_rank('index_pct', ['survey_year', 'element_code'], 'is_ranked') }} as rank,
        {{ ranked_count('index_pct', ['survey_year', 'element_code'], 'is_ranked') }} as rank_of
    from published

),

comparable as (

    select
        survey_year,
        unit_key,
        element_code,
        index_pct,
        {{ competition_rank('index_pct', ['survey_year', 'element_code']) }} as rank
    from indices
    where unit_basis = 'successor'

),

first_year as (

    select min(survey_year) as survey_year from years

),

intervals as (

    select * from {{ ref('int_survey__index_intervals') }}
    where survey_code = 'sipas'

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
    ranked.element_code,
    ranked.element_name,
    ranked.status,
    ranked.not_computed_reason,
    ranked.index_rule,
    ranked.index_rule_source,
    ranked.respondents,
    ranked.design_effect,
    ranked.index_pct,
    ranked.index_pct_published,
    ranked.margin_of_error_pct,
    ranked.margin_of_error_formula,
    intervals.index_low_pct,
    intervals.index_high_pct,
    ranked.is_ranked,
    cast(ranked.rank as integer) as rank,
    cast(ranked.rank_of as integer) as rank_of,
    cast(intervals.rank_best as integer) as rank_best,
    cast(intervals.rank_worst as integer) as rank_worst,
    cast(previous_year.rank as integer) as previous_rank,
    cast(previous_year.rank - ranked.rank as integer) as rank_change,
    cast(intervals.rank_change_low as integer) as rank_change_low,
    cast(intervals.rank_change_high as integer) as rank_change_high,
    intervals.rank_change_beyond_noise,
    ranked.survey_year > first_year.survey_year and previous_unit.unit_key is null
        as is_new_unit,
    comparable.index_pct as comparable_previous_index_pct,
    cast(comparable.rank as integer) as comparable_previous_rank,
    cast(comparable.rank - ranked.rank as integer) as comparable_rank_change,
    cast(ranked.answers_out_of_scale as bigint) as answers_out_of_scale

from ranked
cross join first_year
left join provinces on provinces.province_key = ranked.unit_key
left join ranked as previous_year
    on previous_year.survey_year = ranked.survey_year - 1
    and previous_year.unit_key = ranked.unit_key
    and previous_year.element_code = ranked.element_code
left join (select distinct survey_year, unit_key from units) as previous_unit
    on previous_unit.survey_year = ranked.survey_year - 1
    and previous_unit.unit_key = ranked.unit_key
left join comparable
    on comparable.survey_year = ranked.survey_year - 1
    and comparable.unit_key = ranked.unit_key
    and comparable.element_code = ranked.element_code
    and previous_unit.unit_key is null
left join intervals
    on intervals.survey_year = ranked.survey_year
    and intervals.unit_key = ranked.unit_key
    and intervals.element_code = ranked.element_code
