-- published: the provinces under both code systems
{{ config(alias='dim_province') }}
with released as (

    select * from {{ ref('dim_province') }}

)

select
    province_key,
    province_code,
    code_system,
    province_name,
    short_name,
    region_code,
    region_name,
    valid_from,
    valid_to,
    is_current,
    successor_province_key

from released
