-- one row per province and month as the province reported it, with the province key of that month
with source_rates as (

    select * from {{ source('self_reported', 'on_time_rates') }}

),

renamed as (

    select
        cast(year as integer) as year,
        cast(month as integer) as month,
        make_date(cast(year as integer), cast(month as integer), 1) as month_start,
        {{ clean_province_code('province_code') }} as province_code,
        {{ clean_text('province_name') }} as province_name,
        processed_reported,
        on_time_reported,
        -- a percentage as published (99.99 means 99.99%)
        on_time_rate_reported as on_time_rate_reported_pct,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_rates

),

with_province_key as (

    select
        *,
        -- a month belongs wholly to one code system: the merger falls on the 1st of July
        {{ province_code_system('month_start') }} as code_system

    from renamed

)

select
    year,
    month,
    month_start,
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    province_name,
    processed_reported,
    on_time_reported,
    on_time_rate_reported_pct,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
