-- one row per PAPI survey year and indicator of the methodology version in force that year (seed papi_methodology): its sub-dimension and dimension, scale, rescaling, weight, how many sub-dimensions its dimension has and how many dimensions the version has
with methodology as (

    select * from {{ ref('papi_methodology') }}

),

survey_years as (

    select distinct survey_year from {{ ref('stg_surveys__papi_responses') }}

),

in_force as (

    select survey_years.survey_year, methodology.*
    from survey_years
    inner join methodology
        on survey_years.survey_year between methodology.valid_from_year
            and methodology.valid_to_year

),

sub_dimension_counts as (

    select survey_year, methodology_version, dimension_code,
        count(distinct sub_dimension_code) as sub_dimensions
    from in_force
    group by survey_year, methodology_version, dimension_code

),

version_counts as (

    select survey_year, count(distinct methodology_version) as versions_in_force,
        count(distinct dimension_code) as dimensions
    from in_force
    group by survey_year

)

select
    in_force.survey_year,
    in_force.methodology_version,
    version_counts.versions_in_force,
    version_counts.dimensions,
    in_force.dimension_code,
    in_force.dimension_name,
    in_force.dimension_name_en,
    in_force.sub_dimension_code,
    in_force.sub_dimension_name,
    in_force.indicator_code,
    in_force.indicator_name,
    in_force.scale_min,
    in_force.scale_max,
    in_force.rescaling,
    in_force.weight,
    in_force.dimension_scale_min,
    in_force.dimension_scale_max,
    sub_dimension_counts.sub_dimensions

from in_force
inner join sub_dimension_counts
    on sub_dimension_counts.survey_year = in_force.survey_year
    and sub_dimension_counts.methodology_version = in_force.methodology_version
    and sub_dimension_counts.dimension_code = in_force.dimension_code
inner join version_counts
    on version_counts.survey_year = in_force.survey_year
