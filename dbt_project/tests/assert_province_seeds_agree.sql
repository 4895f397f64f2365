-- the two reference seeds tell the same story: successor_code_2025 of the 63 = predecessor_codes of the 34
{{ config(meta={'dagster': {'ref': {'name': 'provinces_2025'}}}) }}
with successors as (

    select province_code as old_code, successor_code_2025 as new_code
    from {{ ref('provinces_2008_2025') }}

),

predecessors as (

    select
        new_unit.province_code as new_code,
        trim(old_code.value) as old_code
    from {{ ref('provinces_2025') }} as new_unit,
        {{ split_to_rows('trim(new_unit.predecessor_codes)', ' ', 'old_code', 'value') }}
    where trim(old_code.value) <> ''

)

select coalesce(successors.old_code, predecessors.old_code) as old_code,
    successors.new_code as successor_says,
    predecessors.new_code as predecessor_list_says
from successors
full outer join predecessors
    on predecessors.old_code = successors.old_code
    and predecessors.new_code = successors.new_code
where successors.old_code is null or predecessors.old_code is null
