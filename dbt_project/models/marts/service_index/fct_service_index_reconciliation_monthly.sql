-- the portal's evaluation against chiso's, per unit, month and criterion (and per group): the
-- portal's counts and score, chiso's score of the portal's counts (do the rules agree?), chiso's
-- counts and score from its own log (do the counts agree?), and the differences
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'criterion_code']) }}

with scored as (

    select * from {{ ref('fct_service_index_criteria_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

portal_published as (

    select * from {{ ref('stg_portal_evaluation__metrics') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

criteria as (

    select * from {{ ref('service_index_criteria') }}

),

rescored as (

    select * from scored where count_source = 'portal'

),

from_log as (

    select * from scored where count_source = 'log'

),

criterion_rows as (

    -- every criterion of every unit and month the portal evaluated
    select
        rescored.period_start,
        rescored.period_end,
        rescored.unit_type,
        rescored.code_system,
        rescored.unit_key,
        rescored.province_key,
        rescored.version,
        rescored.group_code,
        rescored.criterion_code,
        'criterion' as row_level,
        rescored.portal_metric_code,
        rescored.cap as max_points,
        published.numerator as portal_numerator,
        published.denominator as portal_denominator,
        published.ratio as portal_ratio,
        published.score as portal_score,
        rescored.score as chiso_score_of_portal_counts,
        from_log.numerator as log_numerator,
        from_log.denominator as log_denominator,
        from_log.rate as log_rate,
        from_log.score as log_score,
        from_log.is_measured as is_measured_in_log,
        -- rounded first: sums of 2-decimal scores land a bit either side of 0.015 by engine
        coalesce(round(abs(published.score - rescored.score), 6) > 0.015, false) as are_rules_different

    from rescored
    left join portal_published as published
        on published.period_start = rescored.period_start
        and published.unit_type = rescored.unit_type
        and published.unit_key = rescored.unit_key
        and published.metric_code = rescored.portal_metric_code
    left join from_log
        on from_log.period_start = rescored.period_start
        and from_log.unit_type = rescored.unit_type
        and from_log.code_system = rescored.code_system
        and from_log.unit_key = rescored.unit_key
        and from_log.criterion_code = rescored.criterion_code

),

group_formulas as (

    select distinct version, group_code, group_points, group_formula, portal_group_code
    from criteria

),

group_rows as (

    -- each group as the portal scores it: its own score row where it scores the group whole
    -- (online services, payment), else the sum of its criteria's scores
    select
        criterion_rows.period_start,
        criterion_rows.period_end,
        criterion_rows.unit_type,
        criterion_rows.code_system,
        criterion_rows.unit_key,
        criterion_rows.province_key,
        criterion_rows.version,
        criterion_rows.group_code,
        criterion_rows.group_code as criterion_code,
        'group' as row_level,
        min(group_formulas.portal_group_code) as portal_metric_code,
        min(group_formulas.group_points) as max_points,
        cast(null as double) as portal_numerator,
        cast(null as double) as portal_denominator,
        cast(null as double) as portal_ratio,
        coalesce(min(group_published.score), sum(criterion_rows.portal_score)) as portal_score,
        {%- for source in ['chiso_score_of_portal_counts', 'log_score'] %}
        case when min(group_formulas.group_formula) = 'sum_capped'
            then least(min(group_formulas.group_points), sum(criterion_rows.{{ source }}))
            else sum(criterion_rows.{{ source }})
        end as {{ source }},
        {%- endfor %}
        cast(null as double) as log_numerator,
        cast(null as double) as log_denominator,
        cast(null as double) as log_rate,
        bool_and(criterion_rows.is_measured_in_log) as is_measured_in_log,
        -- a group scored whole is compared whole; a sum of published (rounded) criterion scores
        -- is compared criterion by criterion, the roundings adding up over the group
        case when min(group_published.score) is not null
            then coalesce(round(abs(min(group_published.score) - case
                when min(group_formulas.group_formula) = 'sum_capped'
                    then least(min(group_formulas.group_points),
                               sum(criterion_rows.chiso_score_of_portal_counts))
                else sum(criterion_rows.chiso_score_of_portal_counts) end), 6) > 0.015, false)
            else bool_or(criterion_rows.are_rules_different)
        end as are_rules_different

    from criterion_rows
    inner join group_formulas
        on group_formulas.version = criterion_rows.version
        and group_formulas.group_code = criterion_rows.group_code
    left join portal_published as group_published
        on group_published.period_start = criterion_rows.period_start
        and group_published.unit_type = criterion_rows.unit_type
        and group_published.unit_key = criterion_rows.unit_key
        and group_published.metric_code = group_formulas.portal_group_code
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

compared as (

    select * from criterion_rows
    union all
    select * from group_rows

)

select
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(unit_type as {{ dbt.type_string() }}) as unit_type,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(unit_key as {{ dbt.type_string() }}) as unit_key,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(version as {{ dbt.type_string() }}) as version,
    cast(group_code as {{ dbt.type_string() }}) as group_code,
    cast(criterion_code as {{ dbt.type_string() }}) as criterion_code,
    cast(row_level as {{ dbt.type_string() }}) as row_level,
    cast(portal_metric_code as {{ dbt.type_string() }}) as portal_metric_code,
    cast(max_points as double) as max_points,
    cast(portal_numerator as double) as portal_numerator,
    cast(portal_denominator as double) as portal_denominator,
    cast(portal_ratio as double) as portal_ratio,
    cast(portal_score as double) as portal_score,
    cast(chiso_score_of_portal_counts as double) as chiso_score_of_portal_counts,
    cast(log_numerator as double) as log_numerator,
    cast(log_denominator as double) as log_denominator,
    cast(log_rate as double) as log_rate,
    cast(log_score as double) as log_score,
    cast(coalesce(is_measured_in_log, false) as boolean) as is_measured_in_log,
    -- the portal's counts minus the log's: dossiers one side counts and the other does not
    cast(portal_numerator - log_numerator as double) as numerator_difference,
    cast(portal_denominator - log_denominator as double) as denominator_difference,
    cast(portal_ratio - log_rate as double) as rate_difference,
    -- the portal's score minus chiso's score of the same counts: the rules disagree
    cast(portal_score - chiso_score_of_portal_counts as double) as rule_score_difference,
    -- the portal's score minus chiso's from its log: everything together
    cast(portal_score - log_score as double) as score_difference,
    -- the two sides counted different dossiers (a denominator), or judged them differently
    cast(coalesce(portal_denominator <> log_denominator, false) as boolean)
        as are_denominators_different,
    cast(coalesce(portal_numerator <> log_numerator or portal_denominator <> log_denominator,
                  false) as boolean) as are_counts_different,
    -- beyond the portal's published precision (2 decimals) and the 0.013 of the public rules
    cast(are_rules_different as boolean) as are_rules_different

from compared
