-- one row per agency (the unit) and year (the period): bunching of endings at the deadline,
-- supplement requests on the last day, and due dates inconsistent with the legal time, each
-- against the rest of the country (leave-one-out, so a gaming agency never sets its own bar)
with agency_years as (

    select * from {{ ref('int_quality__dossier_agency_years') }}

),

national as (

    select
        period_start,
        sum(bunch_window_endings) as bunch_window_endings,
        sum(neighbour_window_endings) as neighbour_window_endings,
        sum(dossiers_with_supplement) as dossiers_with_supplement,
        sum(dossiers_supplement_on_due_day) as dossiers_supplement_on_due_day,
        sum(dossiers_with_given_due) as dossiers_with_given_due,
        sum(dossiers_due_inconsistent) as dossiers_due_inconsistent

    from agency_years
    group by period_start

),

rates as (

    select
        agency_years.*,
        -- the smooth counterfactual: the country's ratio of the bunch hour to the rest of the
        -- two days around the due moment, applied to this agency's own neighbourhood
        (national.bunch_window_endings - agency_years.bunch_window_endings) * 1e0
            / nullif(national.neighbour_window_endings - agency_years.neighbour_window_endings, 0)
            as national_bunch_ratio,
        (national.dossiers_supplement_on_due_day - agency_years.dossiers_supplement_on_due_day) * 1e0
            / nullif(national.dossiers_with_supplement - agency_years.dossiers_with_supplement, 0)
            as supplement_due_day_national_share,
        (national.dossiers_due_inconsistent - agency_years.dossiers_due_inconsistent) * 1e0
            / nullif(national.dossiers_with_given_due - agency_years.dossiers_with_given_due, 0)
            as due_inconsistent_national_share

    from agency_years
    inner join national
        on national.period_start = agency_years.period_start

),

expected as (

    select
        *,
        national_bunch_ratio * neighbour_window_endings as bunch_expected_endings,
        supplement_due_day_national_share * dossiers_with_supplement as supplement_due_day_expected,
        due_inconsistent_national_share * dossiers_with_given_due as due_inconsistent_expected

    from rates

)

select
    'agency' as unit_type,
    agency_code as unit_key,
    agency_code_system as code_system,
    agency_province_key,
    'year' as period_type,
    period_start,
    ended_dossiers,
    bunch_window_endings,
    due_minute_endings,
    neighbour_window_endings,
    national_bunch_ratio,
    bunch_expected_endings,
    (bunch_window_endings - bunch_expected_endings) * 1e0 / nullif(ended_dossiers, 0)
        as bunching_excess_share,
    -- Poisson standard error of the expected count
    {{ excess_share_beyond_chance('bunch_window_endings', 'bunch_expected_endings',
                                  'sqrt(greatest(bunch_expected_endings, 1e0))', 'ended_dossiers') }}
        as bunching_excess_beyond_chance,
    dossiers_with_supplement,
    dossiers_supplement_on_due_day,
    dossiers_supplement_on_due_day * 1e0 / nullif(dossiers_with_supplement, 0)
        as supplement_due_day_share,
    supplement_due_day_national_share,
    {{ excess_share_beyond_chance(
        'dossiers_supplement_on_due_day', 'supplement_due_day_expected',
        'sqrt(greatest(supplement_due_day_expected * (1 - supplement_due_day_national_share), 1e0))',
        'dossiers_with_supplement') }} as supplement_due_day_excess_beyond_chance,
    dossiers_with_given_due,
    dossiers_due_inconsistent,
    dossiers_due_inconsistent * 1e0 / nullif(dossiers_with_given_due, 0) as due_inconsistent_share,
    due_inconsistent_national_share,
    {{ excess_share_beyond_chance(
        'dossiers_due_inconsistent', 'due_inconsistent_expected',
        'sqrt(greatest(due_inconsistent_expected * (1 - due_inconsistent_national_share), 1e0))',
        'dossiers_with_given_due') }} as due_inconsistent_excess_beyond_chance

from expected
