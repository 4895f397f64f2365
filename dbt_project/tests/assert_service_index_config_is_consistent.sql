-- the service index configuration adds up: one value of group points and one formula per group,
-- criterion caps summing to their group (at least to it for a capped formula), groups summing to
-- 100 per version, a portal metric code at most once per version, versions not overlapping in time, and a
-- band from 0 in every version
{{ config(meta={'dagster': {'ref': {'name': 'service_index_criteria'}}}) }}
with criteria as (

    select * from {{ ref('service_index_criteria') }}

),

bands as (

    select * from {{ ref('service_index_bands') }}

),

groups as (

    select
        version,
        group_code,
        count(distinct group_points) as group_point_values,
        count(distinct group_formula) as group_formulas,
        min(group_formula) as group_formula,
        min(group_points) as group_points,
        sum(cap) as criterion_points

    from criteria
    group by version, group_code

),

versions as (

    select
        version,
        min(valid_from) as valid_from,
        max(coalesce(valid_to, date '9999-12-31')) as valid_to,
        count(distinct valid_from) + count(distinct coalesce(valid_to, date '9999-12-31')) as bound_values

    from criteria
    group by version

)

select 'group points differ' as failure, version || ' ' || group_code as detail
from groups where group_point_values <> 1

union all

select 'one formula per group', version || ' ' || group_code
from groups where group_formulas <> 1

union all

select 'criteria do not sum to the group', version || ' ' || group_code
from groups
where (group_formula <> 'sum_capped' and abs(criterion_points - group_points) > 1e-9)
    or (group_formula = 'sum_capped' and criterion_points < group_points - 1e-9)

union all

select 'portal metric code twice', version || ' ' || portal_metric_code
from criteria
where portal_metric_code is not null
group by version, portal_metric_code
having count(*) > 1

union all

select 'groups do not sum to 100', version
from groups group by version having abs(sum(group_points) - 100) > 1e-9

union all

select 'validity not one range per version', version
from versions where bound_values <> 2

union all

select 'versions overlap', earlier.version || ' / ' || later.version
from versions as earlier
inner join versions as later
    on earlier.version < later.version
    and earlier.valid_from <= later.valid_to
    and later.valid_from <= earlier.valid_to

union all

select 'no band from 0', versions.version
from versions
left join bands
    on bands.version = versions.version and bands.min_score = 0
where bands.version is null
