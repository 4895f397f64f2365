-- one row per administrative procedure (MaTTHC) with its legal processing time and service level
-- built below the marts so that intermediate models can use it too
select * from {{ ref('int_reference__procedures') }}
