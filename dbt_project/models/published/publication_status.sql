-- one row per index, unit and period the quality gate judged on its latest run (or a steward
-- decided on): published or withheld, why, and the decision that settled it. A steward's latest
-- decision wins; otherwise any failed error-severity check withholds the unit — that unit only.
{{ config(materialized='table', schema='published', contract={'enforced': true},
          pre_hook="{{ ensure_quality_tables() }}") }}

with results as (

    select * from {{ source('quality', 'quality_results') }}

),

decisions as (

    select * from {{ source('quality', 'steward_decisions') }}

),

latest_run as (

    select max_by(run_id, run_at) as run_id from results

),

unit_results as (

    select results.*
    from results
    inner join latest_run
        on latest_run.run_id = results.run_id
    where results.unit_key is not null
        and results.index_code is not null

),

units as (

    select index_code, unit_type, unit_key, code_system, period_type, period_start
    from unit_results
    group by 1, 2, 3, 4, 5, 6

),

flags as (

    select
        index_code,
        unit_key,
        period_type,
        period_start,
        max(case when severity = 'error' then 1 else 0 end) as has_blocking_flag,
        {{ dbt.listagg('check_name', "', '", 'order by check_name') }} as quality_flags,
        {{ dbt.listagg("case when severity = 'error' then message_vi end", "'; '", 'order by check_name') }}
            as blocking_messages

    from unit_results
    where not passed
    group by 1, 2, 3, 4

),

latest_decisions as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by index_code, unit_key, period_type, period_start
                order by decided_at desc, source_file desc, source_line desc
            ) as decision_rank
        from decisions
    ) as ranked
    where decision_rank = 1

),

decided_units as (

    -- a steward may withhold a unit the checks never flagged, or one with no results at all
    select index_code, unit_type, unit_key, cast(null as {{ dbt.type_string() }}) as code_system,
        period_type, period_start
    from latest_decisions

),

all_units as (

    select
        index_code, unit_type, unit_key, max(code_system) as code_system, period_type, period_start
    from (
        select * from units
        union all
        select * from decided_units
    ) as unioned
    group by 1, 2, 3, 5, 6

)

select
    all_units.index_code,
    all_units.unit_type,
    all_units.unit_key,
    coalesce(
        all_units.code_system,
        case when all_units.unit_type = 'agency' then {{ agency_code_system('all_units.unit_key') }}
            else split_part(all_units.unit_key, ':', 1) end
    ) as code_system,
    all_units.period_type,
    all_units.period_start,
    case
        when decided.action = 'release' then 'published'
        when decided.action = 'withhold' then 'withheld'
        when flags.has_blocking_flag = 1 then 'withheld'
        else 'published'
    end as publication_status,
    case
        when decided.action = 'release' and flags.has_blocking_flag = 1
            then 'xếp hạng theo quyết định của ' || decided.decided_by || ': ' || decided.reason
        when decided.action = 'release' then null
        when decided.action = 'withhold'
            then 'không xếp hạng: giữ lại theo quyết định của ' || decided.decided_by || ' — '
                || decided.reason
        when flags.has_blocking_flag = 1 then 'không xếp hạng: ' || flags.blocking_messages
    end as reason,
    flags.quality_flags,
    decided.decision_ref

from all_units
left join flags
    on flags.index_code = all_units.index_code
    and flags.unit_key = all_units.unit_key
    and flags.period_type = all_units.period_type
    and flags.period_start = all_units.period_start
left join latest_decisions as decided
    on decided.index_code = all_units.index_code
    and decided.unit_key = all_units.unit_key
    and decided.period_type = all_units.period_type
    and decided.period_start = all_units.period_start
