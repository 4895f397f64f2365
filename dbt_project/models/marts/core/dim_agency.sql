-- one row per agency under its code system
-- built below the marts so that intermediate models can use it too
select * from {{ ref('int_reference__agencies') }}
