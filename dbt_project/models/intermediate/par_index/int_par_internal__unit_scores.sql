-- one row per internal-index year, province, block and unit: total points, maximum and % of maximum; a block round with any input error is not computed and says why
with points as (

    select * from {{ ref('int_par_internal__criterion_points') }}

),

units as (

    select distinct year, province_code, province_key, block, unit_code, unit_name
    from {{ ref('stg_par_index__internal_scores') }}

),

errors as (

    select year, province_code, block, count(*) as errors, min(check_name) as first_check
    from {{ ref('int_par_internal__validation') }}
    group by year, province_code, block

),

totals as (

    select
        year, province_code, block, unit_code,
        cast(sum(cast(points as decimal(18, 6))) as double) as total_points,
        cast(sum(cast(max_points as decimal(18, 6))) as double) as max_points
    from points
    group by year, province_code, block, unit_code

)

select
    units.year,
    units.province_code,
    units.province_key,
    units.block,
    units.unit_code,
    units.unit_name,
    case when errors.errors is null then 'computed' else 'not_computed' end as status,
    case when errors.errors is not null then
        {{ dbt.concat(["cast(errors.errors as " ~ dbt.type_string() ~ ")",
                       "' input error(s) in the block, first: '", "errors.first_check"]) }}
    end as not_computed_reason,
    case when errors.errors is null then totals.total_points end as total_points,
    totals.max_points,
    case when errors.errors is null then 100 * totals.total_points / totals.max_points
    end as pct_of_max

from units
left join errors
    on errors.year = units.year and errors.province_code = units.province_code
    and errors.block = units.block
left join totals
    on totals.year = units.year and totals.province_code = units.province_code
    and totals.block = units.block and totals.unit_code = units.unit_code
