-- one row per PCI year and row of VCCI's table, with the province it names (by a given code, else by its name among the provinces of the year's code system); a row no province matches keeps a null key (assert_pci_rows_find_their_province lists it)
with scores as (

    select * from {{ ref('stg_vcci__pci_scores') }}

),

provinces as (

    select
        province_key,
        province_code,
        code_system,
        {{ province_name_key('province_name') }} as full_name_key,
        {{ province_name_key('short_name') }} as short_name_key
    from {{ ref('int_reference__provinces') }}

),

by_name as (

    -- a name matching two provinces of one code system would be ambiguous: matched by none
    select scores.year, scores.published_name, min(provinces.province_key) as province_key,
        count(distinct provinces.province_key) as candidates
    from scores
    inner join provinces
        on provinces.code_system = scores.code_system
        and scores.province_name_key in (provinces.full_name_key, provinces.short_name_key)
    group by scores.year, scores.published_name

)

select
    scores.year,
    scores.code_system,
    coalesce(
        case when scores.given_province_code is not null
            then {{ province_key('scores.code_system', 'scores.given_province_code') }} end,
        case when by_name.candidates = 1 then by_name.province_key end
    ) as province_key,
    case
        when scores.given_province_code is not null then 'code'
        when by_name.candidates = 1 then 'name'
    end as matched_by,
    scores.published_name,
    scores.published_rank,
    scores.total_score,
    scores.entry_costs,
    scores.land_access,
    scores.transparency,
    scores.time_costs,
    scores.informal_charges,
    scores.policy_bias,
    scores.proactivity,
    scores.business_support,
    scores.labour_training,
    scores.legal_institutions,
    scores.group_name,
    scores._source_file,
    scores._source_row

from scores
left join by_name
    on by_name.year = scores.year
    and by_name.published_name = scores.published_name
