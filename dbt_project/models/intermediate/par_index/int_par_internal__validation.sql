-- one row per internal-index year, province, block and input error that stops that block's round (never a silent zero)
with points as (

    select * from {{ ref('int_par_internal__criterion_points') }}

),

scores as (

    select * from {{ ref('stg_par_index__internal_scores') }}

),

no_methodology as (

    select distinct
        scores.year, scores.province_code, scores.block,
        'no_methodology' as check_name,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as item,
        'no internal methodology in force for the block and year' as detail
    from scores
    where not exists (
        select 1 from points
        where points.year = scores.year and points.province_code = scores.province_code
            and points.block = scores.block
    )

),

not_in_methodology as (

    select
        scores.year, scores.province_code, scores.block,
        'criterion_not_in_methodology' as check_name,
        scores.unit_code,
        scores.criterion_code as item,
        'a scored criterion the block''s methodology does not list' as detail
    from scores
    where exists (
        select 1 from points
        where points.year = scores.year and points.province_code = scores.province_code
            and points.block = scores.block
    )
    and not exists (
        select 1 from points
        where points.year = scores.year and points.province_code = scores.province_code
            and points.block = scores.block and points.unit_code = scores.unit_code
            and points.criterion_code = scores.criterion_code
    )

),

above_max as (

    select
        year, province_code, block,
        'score_above_max' as check_name,
        unit_code,
        criterion_code as item,
        'points outside 0..max points of the methodology' as detail
    from points
    where points > max_points or points < 0

),

missing_fields as (

    select
        year, province_code, block,
        'missing_field' as check_name,
        unit_code,
        field_code as item,
        'a field of the methodology with no score for the unit' as detail
    from points
    group by year, province_code, block, unit_code, field_code
    having not bool_or(is_in_score_sheet)

),

missing_points as (

    select
        year, province_code, block,
        'missing_points' as check_name,
        unit_code,
        criterion_code as item,
        'a scored criterion without points' as detail
    from points
    where is_in_score_sheet and points is null

)

select * from no_methodology
union all
select * from not_in_methodology
union all
select * from above_max
union all
select * from missing_fields
union all
select * from missing_points
