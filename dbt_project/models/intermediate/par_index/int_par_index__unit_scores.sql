-- one row per PAR INDEX year and province: appraised and survey points, total, maximum and % of maximum; a year with any input error is not computed (points null) and says why
with points as (

    select * from {{ ref('int_par_index__criterion_points') }}

),

scores as (

    select distinct year, province_key, province_code, code_system
    from {{ ref('stg_par_index__scores') }}

),

years as (

    select * from {{ ref('int_par_index__years') }}

),

errors as (

    select year, count(*) as errors, min(check_name) as first_check
    from {{ ref('int_par_index__validation') }}
    group by year

),

totals as (

    select
        year,
        province_key,
        cast(sum(case when criterion_source <> 'dieu_tra_xhh'
            then cast(points as decimal(18, 6)) end) as double) as appraised_points,
        cast(sum(case when criterion_source = 'dieu_tra_xhh'
            then cast(points as decimal(18, 6)) end) as double) as survey_points,
        cast(sum(cast(points as decimal(18, 6))) as double) as total_points,
        cast(sum(cast(max_points as decimal(18, 6))) as double) as max_points
    from points
    group by year, province_key

)

select
    scores.year,
    scores.province_key,
    scores.province_code,
    scores.code_system,
    years.methodology_version,
    case when errors.errors is null then 'computed' else 'not_computed' end as status,
    case when errors.errors is not null then
        {{ dbt.concat(["cast(errors.errors as " ~ dbt.type_string() ~ ")",
                       "' input error(s) in the year, first: '", "errors.first_check"]) }}
    end as not_computed_reason,
    case when errors.errors is null then totals.appraised_points end as appraised_points,
    case when errors.errors is null then totals.survey_points end as survey_points,
    case when errors.errors is null then totals.total_points end as total_points,
    totals.max_points,
    case when errors.errors is null then 100 * totals.total_points / totals.max_points
    end as pct_of_max

from scores
left join years on years.year = scores.year
left join errors on errors.year = scores.year
left join totals on totals.year = scores.year and totals.province_key = scores.province_key
