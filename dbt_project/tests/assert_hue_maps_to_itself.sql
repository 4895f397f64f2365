-- Thừa Thiên Huế (46) became Thành phố Huế on its own: gso63:46 -> gso34:46, and nothing else merges into it
with crosswalk as (

    select * from {{ ref('dim_province_crosswalk') }}

),

hue as (

    select
        (select count(*) from crosswalk where gso34_province_key = 'gso34:46') as rows_into_new_hue,
        (select count(*) from crosswalk
         where gso63_province_key = 'gso63:46' and gso34_province_key = 'gso34:46') as old_hue_to_new_hue

)

select *
from hue
where rows_into_new_hue <> 1 or old_hue_to_new_hue <> 1
