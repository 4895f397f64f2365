-- one row per gso63 province: the gso34 province it merged into on 2025-07-01
-- built below the marts so that intermediate models can use it too
select * from {{ ref('int_reference__province_crosswalk') }}
