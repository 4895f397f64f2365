-- one row per agency and year of processing end: how its ended dossiers sit around their due
-- moment (minutes of end − due, supplement waits taken out), its supplement requests on the
-- due day, and its due dates that disagree with the procedure's legal time
with lifecycle as (

    select * from {{ ref('int_dossier__lifecycle') }}

),

ended as (

    select
        agency_code,
        agency_province_key,
        agency_code_system,
        cast({{ dbt.date_trunc('year', 'processing_ended_at') }} as date) as period_start,
        {{ dbt.datediff('due_at', 'effective_ended_at', 'second') }} / 60e0 as minutes_after_due,
        supplement_requests,
        has_supplement_on_due_day,
        is_due_inconsistent,
        due_at_given

    from lifecycle
    where processing_ended_at is not null
        and effective_ended_at is not null
        and due_at is not null
        and agency_code is not null

)

select
    agency_code,
    min(agency_province_key) as agency_province_key,
    min(agency_code_system) as agency_code_system,
    period_start,
    count(*) as ended_dossiers,
    -- the bunch: ended in the hour at or just before the due moment
    cast(sum(case when minutes_after_due > -60 and minutes_after_due <= 0 then 1 else 0 end) as bigint)
        as bunch_window_endings,
    cast(sum(case when minutes_after_due = 0 then 1 else 0 end) as bigint)
        as due_minute_endings,
    -- the neighbourhood the counterfactual is scaled on: the rest of the day either side
    cast(sum(case when (minutes_after_due > -1440 and minutes_after_due <= -60)
                or (minutes_after_due > 0 and minutes_after_due <= 1440) then 1 else 0 end) as bigint)
        as neighbour_window_endings,
    cast(sum(case when supplement_requests > 0 then 1 else 0 end) as bigint)
        as dossiers_with_supplement,
    cast(sum(case when has_supplement_on_due_day then 1 else 0 end) as bigint)
        as dossiers_supplement_on_due_day,
    cast(sum(case when due_at_given is not null then 1 else 0 end) as bigint)
        as dossiers_with_given_due,
    cast(sum(case when is_due_inconsistent then 1 else 0 end) as bigint)
        as dossiers_due_inconsistent

from ended
group by agency_code, period_start
