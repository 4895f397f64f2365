-- published: the six socio-economic regions, with how many provinces each holds under each code system.
{{ config(alias='dim_region') }}
with released as (

    select * from {{ ref('dim_region') }}

)

select
    region_code,
    region_name,
    provinces_gso63,
    provinces_gso34

from released
