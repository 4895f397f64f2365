-- one row per PAR INDEX year, computed province and bootstrap replicate: the total with its survey points recomputed from the survey replicates, and its rank in that replicate
{{ config(meta={'year_local': true}) }}  -- a year's rows read only that year

with points as (

    select * from {{ ref('int_par_index__criterion_points') }}
    where criterion_source = 'dieu_tra_xhh' and survey_code is not null
        and {{ in_partition_years('year') }}

),

units as (

    select * from {{ ref('int_par_index__unit_scores') }}
    where status = 'computed'

),

survey_replicates as (

    select * from {{ ref('int_survey__bootstrap_ranks') }}
    where {{ in_partition_years('survey_year') }}

),

replicate_survey_points as (

    select
        points.year,
        points.province_key,
        survey_replicates.replicate,
        sum(points.max_points * survey_replicates.index_pct / 100) as survey_points
    from points
    inner join survey_replicates
        on survey_replicates.survey_code = points.survey_code
        and survey_replicates.survey_year = points.year
        and survey_replicates.unit_key = points.province_key
        and survey_replicates.element_code = points.survey_element_code
    group by points.year, points.province_key, survey_replicates.replicate

),

replicate_totals as (

    select
        units.year,
        units.province_key,
        replicate_survey_points.replicate,
        100 * (units.appraised_points + replicate_survey_points.survey_points)
            / units.max_points as pct_of_max
    from units
    inner join replicate_survey_points
        on replicate_survey_points.year = units.year
        and replicate_survey_points.province_key = units.province_key

)

select
    *,
    {{ competition_rank('pct_of_max', partition_by=['year', 'replicate']) }} as rank

from replicate_totals
