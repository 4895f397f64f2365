-- the portal's evaluation against chiso's, per unit, month and criterion (and per group): the
-- portal's counts and score, chiso's score of the portal's counts (do the rules agree?), chiso's
-- counts and score from its own log (do the counts agree?), and the differences. Nothing is
-- scored here: both of chiso's scores are the `portal` and `log` rows of the criteria and group
-- marts, scored there by the one set of rules.
{{ config(unique_key=['period_start', 'unit_type', 'code_system', 'unit_key', 'criterion_code']) }}

with scored_criteria as (

    select * from {{ ref('fct_service_index_criteria_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

scored_groups as (

    select * from {{ ref('fct_service_index_groups_monthly') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

),

portal_published as (

    -- what the portal itself published: its ratio and score per metric (and group score row)
    select * from {{ ref('stg_portal_evaluation__metrics') }}
    where {{ partition_overlaps('period_start', 'period_end') }}

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
        rescored.numerator as portal_numerator,
        rescored.denominator as portal_denominator,
        published.ratio as portal_ratio,
        published.score as portal_score,
        rescored.score as chiso_score_of_portal_counts,
        from_log.numerator as log_numerator,
        from_log.denominator as log_denominator,
        from_log.rate as log_rate,
        from_log.score as log_score,
        from_log.is_measured as is_measured_in_log,
        -- the portal publishes 2 decimals; the public rules reproduce it within 0.013; rounded
        -- first: differences of 2-decimal scores land a bit either side of 0.015 by engine
        coalesce(round(abs(published.score - rescored.score), 6) > 0.015, false) as are_rules_different

    from scored_criteria as rescored
    left join portal_published as published
        on {{ same_unit_month('published', 'rescored') }}
        and published.metric_code = rescored.portal_metric_code
    left join scored_criteria as from_log
        on from_log.count_source = 'log'
        and {{ same_unit_month('from_log', 'rescored') }}
        and from_log.criterion_code = rescored.criterion_code
    where rescored.count_source = 'portal'

),

criterion_totals as (

    -- the portal's published criterion scores per group, for groups it does not score whole
    select
        period_start, unit_type, code_system, unit_key, group_code,
        sum(portal_score) as portal_score,
        bool_or(are_rules_different) as are_rules_different

    from criterion_rows
    group by period_start, unit_type, code_system, unit_key, group_code

),

group_rows as (

    -- each group as the portal scores it: its own score row where it scores the group whole
    -- (online services, payment), else the sum of its criteria's published scores
    select
        rescored.period_start,
        rescored.period_end,
        rescored.unit_type,
        rescored.code_system,
        rescored.unit_key,
        rescored.province_key,
        rescored.version,
        rescored.group_code,
        rescored.group_code as criterion_code,
        'group' as row_level,
        rescored.portal_group_code as portal_metric_code,
        rescored.group_points as max_points,
        cast(null as double) as portal_numerator,
        cast(null as double) as portal_denominator,
        cast(null as double) as portal_ratio,
        coalesce(published.score, totals.portal_score) as portal_score,
        rescored.group_score as chiso_score_of_portal_counts,
        cast(null as double) as log_numerator,
        cast(null as double) as log_denominator,
        cast(null as double) as log_rate,
        from_log.group_score as log_score,
        from_log.is_group_measured as is_measured_in_log,
        -- a group scored whole is compared whole; a sum of published (rounded) criterion scores
        -- is compared criterion by criterion, the roundings adding up over the group
        case when published.score is not null
            then coalesce(round(abs(published.score - rescored.group_score), 6) > 0.015, false)
            else coalesce(totals.are_rules_different, false)
        end as are_rules_different

    from scored_groups as rescored
    inner join criterion_totals as totals
        on {{ same_unit_month('totals', 'rescored') }}
        and totals.group_code = rescored.group_code
    left join portal_published as published
        on {{ same_unit_month('published', 'rescored') }}
        and published.metric_code = rescored.portal_group_code
    left join scored_groups as from_log
        on from_log.count_source = 'log'
        and {{ same_unit_month('from_log', 'rescored') }}
        and from_log.group_code = rescored.group_code
    where rescored.count_source = 'portal'

),

compared as (

    select * from criterion_rows
    union all
    select * from group_rows

)

select
    {{ unit_month_columns() }},
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
