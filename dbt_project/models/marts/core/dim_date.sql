-- one row per calendar day: Vietnam's working-day calendar; built below the marts
-- (int_reference__working_days) so that intermediate models can use it too
select * from {{ ref('int_reference__working_days') }}
