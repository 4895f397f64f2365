-- published: the PAR INDEX points per field (lĩnh vực)
{{ config(alias='par_index_fields_yearly') }}
with released as (

    select * from {{ ref('par_index_fields_yearly') }}

)

select
    year,
    province_key,
    province_name,
    methodology_version,
    field_code,
    field_name,
    status,
    appraised_points,
    survey_points,
    points,
    max_points,
    pct_of_field

from released
