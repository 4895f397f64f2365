-- one row per PCI year and province, as VCCI published it (never recomputed): total out of 100, ten sub-indices, rank "N of M", group, and the change in points and places on the year before
with scores as (

    select * from {{ ref('int_pci__scores') }}
    where province_key is not null

),

rounds as (

    select year, count(*) as rank_of, min(year) over () as first_year
    from {{ ref('int_pci__scores') }}
    group by year

),

checked as (

    select
        *,
        -- the rank the published totals give, to check the table (never published instead)
        {{ competition_rank('total_score', ['year']) }} as rank_as_ranked
    from scores

),

provinces as (

    select * from {{ ref('dim_province') }}

)

select
    checked.year,
    checked.province_key,
    provinces.province_code,
    provinces.code_system,
    provinces.province_name,
    provinces.region_code,
    provinces.region_name,
    checked.published_name,
    checked.matched_by,
    checked.total_score,
    checked.entry_costs,
    checked.land_access,
    checked.transparency,
    checked.time_costs,
    checked.informal_charges,
    checked.policy_bias,
    checked.proactivity,
    checked.business_support,
    checked.labour_training,
    checked.legal_institutions,
    cast(checked.published_rank as integer) as rank,
    cast(rounds.rank_of as integer) as rank_of,
    checked.group_name,
    cast(checked.rank_as_ranked as integer) as rank_as_ranked,
    previous_year.total_score as previous_total_score,
    {{ published_round('checked.total_score - previous_year.total_score') }} as score_change,
    cast(previous_year.published_rank as integer) as previous_rank,
    cast(previous_year.published_rank - checked.published_rank as integer) as rank_change,
    checked.year > rounds.first_year and previous_year.province_key is null as is_new_unit

from checked
inner join rounds on rounds.year = checked.year
left join provinces on provinces.province_key = checked.province_key
left join checked as previous_year
    on previous_year.year = checked.year - 1
    and previous_year.province_key = checked.province_key
