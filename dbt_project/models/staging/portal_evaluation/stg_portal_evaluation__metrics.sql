-- the portal's counts and score per unit, month and metric, with the unit's key in chiso's terms
with source_metrics as (

    select * from {{ source('portal_evaluation', 'metrics') }}

),

renamed as (

    select
        make_date(cast(year as integer), cast(month as integer), 1) as period_start,
        group_code as portal_group_code,
        unit_type,
        trim(unit_code) as unit_code,
        {{ clean_text('unit_name') }} as unit_name,
        trim(parent_code) as parent_code,
        metric_code,
        {{ clean_text('metric_name') }} as metric_name,
        numerator,
        denominator,
        ratio,
        score,
        max_score,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_metrics

),

with_code_system as (

    select
        *,
        {{ province_code_system('period_start') }} as code_system

    from renamed

)

select
    period_start,
    cast({{ dbt.dateadd('month', 1, 'period_start') }} as date) as period_end,
    portal_group_code,
    unit_type,
    code_system,
    -- provinces by their key of the month's code system, agencies by their own code
    case when unit_type = 'province'
        then {{ province_key('code_system', clean_province_code('unit_code')) }}
        else unit_code
    end as unit_key,
    unit_code,
    unit_name,
    parent_code,
    -- a province is its own; an agency's province is its parent in the portal's tree
    case when unit_type = 'province'
        then {{ province_key('code_system', clean_province_code('unit_code')) }}
        else {{ province_key('code_system', clean_province_code('parent_code')) }}
    end as province_key,
    metric_code,
    metric_name,
    numerator,
    denominator,
    ratio,
    score,
    max_score,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_code_system
