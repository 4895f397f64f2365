-- one row per PCI year and province as VCCI published it: rank, weighted total, ten sub-indices and group, typed, with the name key that finds the province
with source_scores as (

    select * from {{ source('vcci', 'pci_scores') }}

)

select
    cast(year as integer) as year,
    {{ year_code_system('year') }} as code_system,
    {{ clean_text('province_name') }} as published_name,
    {{ province_name_key('province_name') }} as province_name_key,
    {{ clean_province_code('province_code') }} as given_province_code,
    cast(rank as integer) as published_rank,
    total_score,
    entry_costs,
    land_access,
    transparency,
    time_costs,
    informal_charges,
    policy_bias,
    proactivity,
    business_support,
    labour_training,
    legal_institutions,
    {{ clean_text('group_name') }} as group_name,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from source_scores
