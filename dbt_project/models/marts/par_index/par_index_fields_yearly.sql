-- one row per PAR INDEX year, province and field of the methodology in force: appraised and survey points of the field, its maximum and % of it
with points as (

    select * from {{ ref('int_par_index__criterion_points') }}

),

scores as (

    select year, province_key, status from {{ ref('int_par_index__unit_scores') }}

),

provinces as (

    select province_key, province_name from {{ ref('dim_province') }}

),

fields as (

    select
        year,
        province_key,
        methodology_version,
        field_code,
        min(field_name) as field_name,
        cast(sum(case when criterion_source <> 'dieu_tra_xhh'
            then cast(points as decimal(18, 6)) end) as double) as appraised_points,
        cast(sum(case when criterion_source = 'dieu_tra_xhh'
            then cast(points as decimal(18, 6)) end) as double) as survey_points,
        cast(sum(cast(points as decimal(18, 6))) as double) as points,
        cast(sum(cast(max_points as decimal(18, 6))) as double) as max_points
    from points
    group by year, province_key, methodology_version, field_code

)

select
    fields.year,
    fields.province_key,
    provinces.province_name,
    fields.methodology_version,
    fields.field_code,
    fields.field_name,
    scores.status,
    case when scores.status = 'computed' then fields.appraised_points end as appraised_points,
    case when scores.status = 'computed' then fields.survey_points end as survey_points,
    case when scores.status = 'computed' then fields.points end as points,
    fields.max_points,
    case when scores.status = 'computed' then 100 * fields.points / fields.max_points
    end as pct_of_field

from fields
inner join scores on scores.year = fields.year and scores.province_key = fields.province_key
left join provinces on provinces.province_key = fields.province_key
