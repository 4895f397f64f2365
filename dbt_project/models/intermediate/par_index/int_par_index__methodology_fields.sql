-- one row per PAR INDEX methodology version and field: its maximum points, from the methodology files (summed over their criteria) and from the documented example seeds (2948/QĐ-BNV, 2017)
{{ config(materialized='table', partition_by=none) }}  -- no year grain: rebuilt whole with every yearly build

with from_files as (

    select
        methodology_version,
        min(valid_from_year) as valid_from_year,
        max(valid_to_year) as valid_to_year,
        field_code,
        min(field_name) as field_name,
        sum(max_points) as max_points,
        'methodology file' as origin
    from {{ ref('stg_par_index__methodology') }}
    group by methodology_version, field_code

),

examples as (

    select
        methodology_version,
        valid_from_year,
        valid_to_year,
        field_code,
        field_name,
        max_points,
        'seed par_methodology_2948_qd_bnv_fields' as origin
    from {{ ref('par_methodology_2948_qd_bnv_fields') }}

)

select * from from_files
union all
select * from examples
