-- one row per administrative procedure (MaTTHC) with its legal processing time and service level
with procedures as (

    select * from {{ ref('stg_csdl_tthc__procedures') }}

)

select
    cast(procedure_code as {{ dbt.type_string() }}) as procedure_code,
    cast(procedure_name as {{ dbt.type_string() }}) as procedure_name,
    cast(field_code as {{ dbt.type_string() }}) as field_code,
    cast(field_name as {{ dbt.type_string() }}) as field_name,
    cast(levels as {{ dbt.type_string() }}) as levels,
    cast(is_handled_at_province as boolean) as is_handled_at_province,
    cast(is_handled_at_district as boolean) as is_handled_at_district,
    cast(is_handled_at_commune as boolean) as is_handled_at_commune,
    cast(legal_time_value as integer) as legal_time_value,
    cast(legal_time_unit as {{ dbt.type_string() }}) as legal_time_unit,
    -- only this unit is counted on the working-day calendar; the others run on the clock
    cast(legal_time_unit = 'ngay_lam_viec' as boolean) as is_legal_time_in_working_days,
    cast(online_level as {{ dbt.type_string() }}) as online_level,
    cast(online_level = 'toan_trinh' as boolean) as is_full_online,
    cast(is_fee_bearing as boolean) as is_fee_bearing,
    cast(has_paper_result as boolean) as has_paper_result

from procedures
