-- one row per province (the unit) and month (the period): the on-time rate the province
-- published against what its own dossier log allows — the Wilson interval (99.9%) around the
-- rate computed from the log's counts of processed dossiers
with reported as (

    select * from {{ ref('stg_self_reported__on_time_rates') }}

),

lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}

),

log_counts as (

    select
        -- from the merger on, the new province reports for every dossier in its territory
        case when processing_ended_at >= cast('{{ var("merger_date") }}' as timestamp)
            then province_key_gso34 else province_key end as province_key,
        cast({{ dbt.date_trunc('month', 'processing_ended_at') }} as date) as month_start,
        count(*) as processed_in_log,
        cast(sum(case when end_judgement in ('early', 'on_time') then 1 else 0 end) as bigint)
            as on_time_in_log

    from lifecycle
    where outcome = 'processed'
        and end_judgement is not null
    group by 1, 2

),

joined as (

    select
        reported.province_key,
        reported.code_system,
        reported.month_start,
        reported.processed_reported,
        reported.on_time_reported,
        reported.on_time_rate_reported_pct,
        reported._source_file,
        reported._source_row,
        log_counts.processed_in_log,
        log_counts.on_time_in_log,
        log_counts.on_time_in_log * 1e0 / nullif(log_counts.processed_in_log, 0) as log_rate,
        3.2905e0 as z

    from reported
    left join log_counts
        on log_counts.province_key = reported.province_key
        and log_counts.month_start = reported.month_start

),

wilson as (

    select
        *,
        (log_rate + z * z / (2 * processed_in_log)
            + z * sqrt(log_rate * (1 - log_rate) / processed_in_log
                       + z * z / (4e0 * processed_in_log * processed_in_log)))
            / (1 + z * z / processed_in_log) as wilson_upper

    from joined

)

select
    'province' as unit_type,
    province_key as unit_key,
    code_system,
    'month' as period_type,
    month_start as period_start,
    cast(processed_reported as bigint) as processed_reported,
    cast(on_time_reported as bigint) as on_time_reported,
    cast(on_time_rate_reported_pct as double) as on_time_rate_reported_pct,
    processed_in_log,
    on_time_in_log,
    100 * log_rate as on_time_rate_log_pct,
    100 * wilson_upper as on_time_rate_log_upper_pct,
    -- percentage points the published rate lies above anything the log allows
    on_time_rate_reported_pct - 100 * wilson_upper as reported_above_log_pct,
    _source_file as evidence_file,
    cast(_source_row as bigint) as evidence_row

from wilson
