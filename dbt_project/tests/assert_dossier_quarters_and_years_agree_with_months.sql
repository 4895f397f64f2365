-- quarters and years, rolled up from their months (fct_dossier_processing_by_period) and then
-- over units, must agree with the months as published:
-- flows equal the sum of their months, the stock carried over equals the first month's, the
-- stock in progress (and its split) equals the last month's
{{ config(meta={'dagster': {'ref': {'name': 'fct_dossier_indicators_by_period'}}}) }}
with indicators as (

    select * from {{ ref('fct_dossier_indicators_by_period') }}

),

spine as (

    select * from {{ ref('int_dossier__period_spine') }}

),

months_of_period as (

    select
        periods.period_type,
        periods.period_start,
        months.period_start as month_start,
        months.period_start = min(months.period_start) over (
            partition by periods.period_type, periods.period_start) as is_first_month,
        months.period_start = max(months.period_start) over (
            partition by periods.period_type, periods.period_start) as is_last_month

    from spine as periods
    inner join spine as months
        on months.period_type = 'month'
        and months.period_start >= periods.period_start
        and months.period_start < periods.period_end
    where periods.period_type in ('quarter', 'year')

),

from_months as (

    select
        months_of_period.period_type,
        months_of_period.period_start,
        months.unit_type,
        months.code_system,
        months.unit_key,
        sum(months.received_count) as received_count,
        sum(months.processed_count) as processed_count,
        sum(months.processed_late_count) as processed_late_count,
        sum(months.refused_count + months.stopped_count + months.withdrawn_count) as other_ended_count,
        sum(case when months_of_period.is_first_month then months.carried_over_count else 0 end)
            as carried_over_count,
        sum(case when months_of_period.is_last_month then months.in_progress_end_count else 0 end)
            as in_progress_end_count,
        sum(case when months_of_period.is_last_month then months.in_progress_overdue_count else 0 end)
            as in_progress_overdue_count

    from months_of_period
    inner join indicators as months
        on months.period_type = 'month'
        and months.period_start = months_of_period.month_start
    group by months_of_period.period_type, months_of_period.period_start, months.unit_type,
        months.code_system, months.unit_key

),

expected as (

    -- the gso63 series has no quarter or year that crosses the merger
    select from_months.*
    from from_months
    inner join spine
        on spine.period_type = from_months.period_type
        and spine.period_start = from_months.period_start
    where from_months.unit_type = 'agency'
        or from_months.code_system = 'gso34'
        or spine.is_before_merger

),

periods as (

    select * from indicators
    where period_type in ('quarter', 'year')

)

select
    coalesce(periods.period_type, expected.period_type) as period_type,
    coalesce(periods.period_start, expected.period_start) as period_start,
    coalesce(periods.unit_key, expected.unit_key) as unit_key,
    coalesce(periods.code_system, expected.code_system) as code_system

from periods
full outer join expected
    on expected.period_type = periods.period_type
    and expected.period_start = periods.period_start
    and expected.unit_type = periods.unit_type
    and expected.code_system = periods.code_system
    and expected.unit_key = periods.unit_key
where periods.unit_key is null
    or expected.unit_key is null
    or periods.received_count <> expected.received_count
    or periods.processed_count <> expected.processed_count
    or periods.processed_late_count <> expected.processed_late_count
    or periods.refused_count + periods.stopped_count + periods.withdrawn_count <> expected.other_ended_count
    or periods.carried_over_count <> expected.carried_over_count
    or periods.in_progress_end_count <> expected.in_progress_end_count
    or periods.in_progress_overdue_count <> expected.in_progress_overdue_count
