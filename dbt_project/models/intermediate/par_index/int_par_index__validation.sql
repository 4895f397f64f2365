-- one row per PAR INDEX year and input error that stops that year's index (never a silent zero): the check, the province and criterion it concerns
with years as (

    select * from {{ ref('int_par_index__years') }}

),

points as (

    select * from {{ ref('int_par_index__criterion_points') }}

),

scores as (

    select * from {{ ref('stg_par_index__scores') }}

),

methodology as (

    select * from {{ ref('int_par_index__methodology') }}

),

no_methodology as (

    select
        year,
        case when versions_in_force = 0 then 'no_methodology'
            else 'overlapping_methodologies' end as check_name,
        cast(null as {{ dbt.type_string() }}) as province_key,
        cast(null as {{ dbt.type_string() }}) as item,
        1 as error_rows,
        'exactly one methodology version must be in force for the round' as detail
    from years
    where versions_in_force <> 1

),

not_in_methodology as (

    select
        scores.year,
        'criterion_not_in_methodology' as check_name,
        scores.province_key,
        scores.criterion_code as item,
        1 as error_rows,
        'a scored criterion the methodology in force does not list' as detail
    from scores
    inner join years on years.year = scores.year and years.versions_in_force = 1
    left join methodology
        on methodology.methodology_version = years.methodology_version
        and methodology.criterion_code = scores.criterion_code
    where methodology.criterion_code is null

),

above_max as (

    select
        year,
        'score_above_max' as check_name,
        province_key,
        criterion_code as item,
        1 as error_rows,
        'appraised points outside 0..max points of the methodology' as detail
    from points
    where scored_points > max_points or scored_points < 0

),

max_disagrees as (

    select
        year,
        'max_points_disagree' as check_name,
        province_key,
        criterion_code as item,
        1 as error_rows,
        'the score sheet''s max points differ from the methodology''s' as detail
    from points
    where scored_max_points is not null and abs(scored_max_points - max_points) > 0.0001

),

missing_fields as (

    select
        year,
        'missing_field' as check_name,
        province_key,
        field_code as item,
        count(*) as error_rows,
        'a field of the methodology with no score for the province' as detail
    from points
    group by year, province_key, field_code
    having not bool_or(is_in_score_sheet)

),

missing_appraisal as (

    select
        year,
        'missing_appraised_points' as check_name,
        province_key,
        criterion_code as item,
        1 as error_rows,
        'an appraised criterion without appraised points' as detail
    from points as appraised
    where criterion_source <> 'dieu_tra_xhh' and scored_points is null
        and field_code in (
            select distinct scored.field_code from points as scored
            where scored.year = appraised.year and scored.province_key = appraised.province_key
                and scored.is_in_score_sheet
        )

),

survey_without_rule as (

    select distinct
        year,
        'survey_criterion_without_rule' as check_name,
        cast(null as {{ dbt.type_string() }}) as province_key,
        criterion_code as item,
        1 as error_rows,
        'a survey criterion with no row in seed par_survey_criteria' as detail
    from points
    where criterion_source = 'dieu_tra_xhh' and survey_code is null

),

survey_missing as (

    select
        year,
        'survey_result_missing' as check_name,
        province_key,
        criterion_code as item,
        1 as error_rows,
        'the survey result this criterion needs is not computed for the province and year'
            as detail
    from points
    where criterion_source = 'dieu_tra_xhh' and survey_code is not null
        and survey_index_pct is null

)

select * from no_methodology
union all
select * from not_in_methodology
union all
select * from above_max
union all
select * from max_disagrees
union all
select * from missing_fields
union all
select * from missing_appraisal
union all
select * from survey_without_rule
union all
select * from survey_missing
