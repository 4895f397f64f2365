-- every unit an agency of the agency reference counts in, whether or not it handled a dossier
-- (petitions and procedure announcements come from agencies the dossier log may not know):
-- itself, its province under its own code system, and its gso34 province (an old province
-- mapped forward through the crosswalk)
with agencies as (

    select * from {{ ref('int_reference__agencies') }}

),

crosswalk as (

    select * from {{ ref('int_reference__province_crosswalk') }}

),

units as (

    select
        agency_key as agency_code,
        level,
        code_system as agency_code_system,
        'agency' as unit_type,
        code_system,
        agency_key as unit_key,
        false as is_gso63_series
    from agencies

    union all

    select agency_key, level, code_system, 'province', code_system, province_key,
        code_system = 'gso63'
    from agencies

    union all

    select agencies.agency_key, agencies.level, agencies.code_system, 'province', 'gso34',
        crosswalk.gso34_province_key, false
    from agencies
    inner join crosswalk
        on crosswalk.gso63_province_key = agencies.province_key

)

select
    {{ dbt.concat(['agency_code', "'|'", 'unit_type', "'|'", 'code_system', "'|'", 'unit_key']) }}
        as agency_unit_key,
    agency_code,
    level,
    agency_code_system,
    unit_type,
    code_system,
    unit_key,
    -- a gso63 province exists until the merger: it counts only months before it
    is_gso63_series

from units
