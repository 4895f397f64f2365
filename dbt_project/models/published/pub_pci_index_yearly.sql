-- published: PCI as VCCI published it (never recomputed, never re-ranked: VCCI's rank and "of M"
-- stand); only a steward's decision can withhold a row, which then is left out
{{ config(alias='pci_index_yearly') }}

with released as (

    select * from (
        {{ with_yearly_publication(ref('pci_index_yearly'), 'year', ['year', 'province_key'],
                                   ['pci']) }}
    ) as rows
    where not is_withheld

)

select
    year,
    province_key,
    province_code,
    code_system,
    province_name,
    region_code,
    region_name,
    published_name,
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
    rank,
    rank_of,
    group_name,
    previous_total_score,
    score_change,
    previous_rank,
    rank_change,
    is_new_unit,
    'published' as publication_status,
    quality_flags

from released
