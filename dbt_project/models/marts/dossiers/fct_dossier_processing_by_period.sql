-- the one-stop-shop processing statistics per agency and period (month, quarter, year). Months
-- are counted from the dossier lifecycle: flows over the month, stocks at its start and end.
-- Quarters and years are rolled up from their months (each count as its `over_time` says, in
-- macros/dossier_metrics.sql), so a night that rebuilds one month counts that month's dossiers,
-- not the whole year's (the unit tests in _dossiers__models.yml work a quarter both ways).
{{ config(unique_key=['period_type', 'period_start', 'agency_code']) }}

{#- the months counted here: the partition's (incremental), else every month of the partition's
    years, whose quarters and years have no stored months to be rolled up from -#}
{%- set counted = partition_window() if is_incremental() else partition_whole_years() -%}
{%- set unit_columns = ['agency_code', 'province_key', 'code_system', 'province_key_gso34'] -%}
{%- set month_columns = unit_columns + dossier_count_columns() + dossier_sum_columns() -%}

with spine as (

    select * from {{ ref('int_dossier__period_spine') }}

),

counted_months as (

    select * from spine
    where period_type = 'month'
        and {{ window_overlaps(counted, 'period_start', 'period_end') }}

),

rolled_up_periods as (

    -- the quarters and years around the counted months, with their first and last month
    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        min(months.period_start) as first_month_start,
        max(months.period_start) as last_month_start

    from spine as periods
    inner join spine as months
        on months.period_type = 'month'
        and months.period_start >= periods.period_start
        and months.period_start < periods.period_end
    where periods.period_type in ('quarter', 'year')
        and {{ window_overlaps(counted, 'periods.period_start', 'periods.period_end') }}
    group by periods.period_type, periods.period_start, periods.period_end

),

digital_services as (

    select * from {{ ref('int_dossier__digital_services') }}

),

lifecycle as (

    -- a dossier never received (still "newly registered", or turned away at the desk) is not
    -- in the one-stop-shop statistics; beside its life, the digital services the index counts
    select
        dossiers.*,
        digital_services.is_synced_in_real_time,
        digital_services.has_certified_copy,
        digital_services.uses_population_data,
        digital_services.is_shared_to_personal_store

    from {{ ref('int_dossier__lifecycle') }} as dossiers
    left join digital_services
        on digital_services.dossier_id = dossiers.dossier_id
    where dossiers.is_received
    {%- if counted is not none %}
        {#- a month overlapping the window starts after its start less a month and ends before
            its end plus one: literal bounds, so the scan drops the other dossiers first #}
        {%- set window_start = modules.datetime.date.fromisoformat(counted.start) -%}
        {%- set window_end = modules.datetime.date.fromisoformat(counted.end) -%}
        {%- set month = modules.datetime.timedelta(days=31) %}
        and dossiers.received_at < cast('{{ window_end + month }}' as timestamp)
        and (dossiers.closed_at is null
             or dossiers.closed_at >= cast('{{ window_start - month }}' as timestamp))
    {%- endif %}

),

supplements as (

    select * from {{ ref('int_dossier__supplements') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

dossier_periods as (

    -- each dossier in every counted month it belongs to: received in it, carried into it,
    -- closed in it or still open at its end
    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        cast(periods.period_start as timestamp) as period_started_at,
        cast(periods.period_end as timestamp) as period_ended_at,
        -- an open dossier is judged at the period's end (or the data's last moment before it)
        periods.judged_at,
        periods.judged_day_working_day_number,
        lifecycle.*

    from lifecycle
    inner join counted_months as periods
        on lifecycle.received_at < cast(periods.period_end as timestamp)
        and (lifecycle.closed_at is null
             or lifecycle.closed_at >= cast(periods.period_start as timestamp))

),

open_at_end as (

    select * from dossier_periods
    where closed_at is null or closed_at >= period_ended_at

),

waits_to_period_end as (

    -- the applicant's time up to the judging moment (a pending request stops the clock at it)
    select
        open_at_end.dossier_id,
        open_at_end.period_type,
        open_at_end.period_start,
        count(*) as requests_by_period_end,
        sum({{ dbt.datediff(
            'supplements.requested_at',
            'least(coalesce(supplements.resumed_at, open_at_end.judged_at), open_at_end.judged_at)',
            'second') }}) as wait_seconds

    from open_at_end
    inner join supplements
        on supplements.dossier_id = open_at_end.dossier_id
        and supplements.requested_at < open_at_end.judged_at
    group by open_at_end.dossier_id, open_at_end.period_type, open_at_end.period_start

),

open_with_due as (

    select
        open_at_end.dossier_id,
        open_at_end.period_type,
        open_at_end.period_start,
        open_at_end.judged_at,
        open_at_end.due_at,
        open_at_end.judged_day_working_day_number,
        coalesce(waits.requests_by_period_end, 0) as requests_by_period_end,
        -- the due date moves by the time the dossier spent with the applicant
        {{ dbt.dateadd('second', 'coalesce(waits.wait_seconds, 0)', 'open_at_end.due_at') }}
            as extended_due_at

    from open_at_end
    left join waits_to_period_end as waits
        on waits.dossier_id = open_at_end.dossier_id
        and waits.period_type = open_at_end.period_type
        and waits.period_start = open_at_end.period_start

),

open_judged as (

    select
        open_with_due.dossier_id,
        open_with_due.period_type,
        open_with_due.period_start,
        case
            when open_with_due.due_at is null then 'due_unknown'
            when open_with_due.requests_by_period_end >= 2 then 'overdue'
            when open_with_due.judged_at > open_with_due.extended_due_at then 'overdue'
            -- nearly due: the due day is at most 3 working days after the day judged on
            when due_day.working_day_number - open_with_due.judged_day_working_day_number <= 3
                then 'due_soon'
            else 'not_yet_due'
        end as open_judgement

    from open_with_due
    left join calendar as due_day
        on due_day.calendar_date = cast(open_with_due.extended_due_at as date)

),

flagged as (

    select
        dossier_periods.*,
        dossier_periods.received_at >= dossier_periods.period_started_at as is_received_in_period,
        dossier_periods.received_at < dossier_periods.period_started_at as is_carried_over,
        coalesce(dossier_periods.closed_at < dossier_periods.period_ended_at, false) as is_closed_in_period,
        open_judged.open_judgement

    from dossier_periods
    left join open_judged
        on open_judged.dossier_id = dossier_periods.dossier_id
        and open_judged.period_type = dossier_periods.period_type
        and open_judged.period_start = dossier_periods.period_start

),

agency_months as (

    select
        period_type,
        period_start,
        period_end,
        agency_code,
        agency_province_key as province_key,
        agency_code_system as code_system,
        agency_province_key_gso34 as province_key_gso34,

        -- every count of the statistics, as macros/dossier_metrics.sql defines it
        {%- for count in dossier_counts() %}
        count(*) filter (where {{ count.where }}) as {{ count.name }},
        {%- endfor %}
        -- rounded per month as stored, so that a quarter rolled up from stored months and one
        -- rolled up from months counted in the same run agree to the last digit
        cast(coalesce(sum(legal_time_used_share) filter (where is_closed_in_period and outcome = 'processed'), 0)
            as decimal(18, 6)) as processed_legal_time_used_share_sum

    from flagged
    group by period_type, period_start, period_end, agency_code, agency_province_key,
        agency_code_system, agency_province_key_gso34

),

months_to_roll_up as (

    -- the months counted here and, in an incremental build, the other months of the same
    -- quarters and years as the table holds them
    select period_start, {{ month_columns | join(', ') }}
    from agency_months
    {%- if is_incremental() and counted is not none %}
    union all
    select period_start, {{ month_columns | join(', ') }}
    from {{ this }}
    where period_type = 'month'
        and not {{ window_overlaps(counted, 'period_start', 'period_end') }}
        and {{ window_overlaps(partition_whole_years(), 'period_start', 'period_end') }}
    {%- endif %}

),

agency_rolled_up_periods as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        {%- for column in unit_columns %}
        months.{{ column }},
        {%- endfor %}
        {%- for column in dossier_count_columns() %}
        {{ dossier_count_over_months(column, 'months', 'periods.first_month_start',
                                     'periods.last_month_start') }} as {{ column }},
        {%- endfor %}
        {%- for column in dossier_sum_columns() %}
        sum(months.{{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from rolled_up_periods as periods
    inner join months_to_roll_up as months
        on months.period_start >= periods.period_start
        and months.period_start < periods.period_end
    group by periods.period_type, periods.period_start, periods.period_end,
        {%- for column in unit_columns %}
        months.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

),

agency_periods as (

    select period_type, period_start, period_end, {{ month_columns | join(', ') }}
    from agency_months
    union all
    select period_type, period_start, period_end, {{ month_columns | join(', ') }}
    from agency_rolled_up_periods

)

select
    cast(period_type as {{ dbt.type_string() }}) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(agency_code as {{ dbt.type_string() }}) as agency_code,
    cast(province_key as {{ dbt.type_string() }}) as province_key,
    cast(code_system as {{ dbt.type_string() }}) as code_system,
    cast(province_key_gso34 as {{ dbt.type_string() }}) as province_key_gso34,
    {%- for column in dossier_count_columns() %}
    cast({{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(processed_legal_time_used_share_sum as decimal(18, 6)) as processed_legal_time_used_share_sum

from agency_periods
