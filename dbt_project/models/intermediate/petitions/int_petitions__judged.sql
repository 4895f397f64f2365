-- one row per citizen petition, judged against the portal's deadlines (seed petition_deadlines):
-- answered on time when handled within the handling deadline, or refused within the refusal
-- deadline, counted in working days from the receipt at the same clock time
with petitions as (

    select * from {{ ref('stg_petitions__petitions') }}

),

deadlines as (

    select * from {{ ref('petition_deadlines') }}

),

calendar as (

    select * from {{ ref('int_reference__working_days') }}

),

with_deadline_days as (

    select
        petitions.*,
        receipt_day.working_day_number as received_working_day_number,
        case when petitions.outcome = 'tu_choi' then refusal.working_days
            else handling.working_days end as allowed_working_days

    from petitions
    left join calendar as receipt_day
        on receipt_day.calendar_date = cast(petitions.received_at as date)
    cross join (select working_days from deadlines where step = 'handling') as handling
    cross join (select working_days from deadlines where step = 'refusal') as refusal

),

with_deadline as (

    select
        petitions.*,
        {{ dbt.dateadd(
            'second',
            dbt.datediff('cast(cast(petitions.received_at as date) as timestamp)',
                         'petitions.received_at', 'second'),
            'cast(deadline_day.calendar_date as timestamp)') }} as deadline_at

    from with_deadline_days as petitions
    left join calendar as deadline_day
        on deadline_day.is_working_day
        and deadline_day.working_day_number
            = petitions.received_working_day_number + petitions.allowed_working_days

)

select
    petition_id,
    agency_code,
    received_at,
    classification,
    outcome,
    handled_at,
    deadline_at,
    outcome in ('da_xu_ly', 'tu_choi') and handled_at is not null as is_answered,
    case when outcome in ('da_xu_ly', 'tu_choi') and handled_at is not null
        then handled_at <= deadline_at end as is_answered_on_time,
    rating,
    rating is not null as is_rated,
    coalesce(rating in ('rat_hai_long', 'hai_long'), false) as is_satisfied

from with_deadline
