-- one row per administrative procedure of the national catalogue, typed
with source_procedures as (

    select * from {{ source('csdl_tthc', 'procedures') }}

),

renamed as (

    select
        trim(procedure_code) as procedure_code,
        trim(procedure_name) as procedure_name,
        trim(field_code) as field_code,
        {{ clean_text('field_name') }} as field_name,
        -- ';tinh;huyen;' so that each level can be matched whole, whatever the spacing
        ';' || replace(lower(levels), ' ', '') || ';' as levels_delimited,
        legal_time_value,
        trim(legal_time_unit) as legal_time_unit,
        trim(online_level) as online_level,
        {{ flag_to_boolean('fee_bearing') }} as is_fee_bearing,
        {{ flag_to_boolean('paper_result') }} as has_paper_result,
        {{ flag_to_boolean('population_db_connected') }} as is_population_db_connected,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_procedures

),

with_levels as (

    select
        *,
        levels_delimited like '%;tinh;%' as is_handled_at_province,
        levels_delimited like '%;huyen;%' as is_handled_at_district,
        levels_delimited like '%;xa;%' as is_handled_at_commune

    from renamed

)

select
    procedure_code,
    procedure_name,
    field_code,
    field_name,
    -- canonical order: province, district, commune
    concat_ws(';',
        case when is_handled_at_province then 'tinh' end,
        case when is_handled_at_district then 'huyen' end,
        case when is_handled_at_commune then 'xa' end
    ) as levels,
    is_handled_at_province,
    is_handled_at_district,
    is_handled_at_commune,
    legal_time_value,
    legal_time_unit,
    online_level,
    is_fee_bearing,
    has_paper_result,
    is_population_db_connected,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_levels
