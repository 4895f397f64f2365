-- per dossier, the digital services the service index counts (SPEC 3.2, issue 9): an electronic
-- certified copy, data taken from the population database, data shared to the applicant's
-- store on the portal, and whether every version reached the portal in real time (within the
-- delay of seed service_index_rules). Null where the dossier's system does not say, so that a
-- criterion it cannot measure is "not measured", never 0.
-- Incremental (macros/dossier_increments.sql): the dossiers with record versions loaded since
-- the newest it has are counted again, whole (a dossier's versions only grow: its row is
-- replaced, never dropped); a change of the seed's delay rebuilds every dossier.
{{ config(tags=['dossier_lifecycle'], **dossier_incremental('dossier_id')) }}

with
{%- if is_incremental() %}

changed_dossiers as (

    select dossier_id from {{ ref('stg_dossier_portal__records') }}
    where _loaded_at > {{ loaded_through('records_loaded_at') }}

),
{%- endif %}

record_versions as (

    select * from {{ ref('stg_dossier_portal__records') }}
    {%- if is_incremental() %}
    where dossier_id in (select dossier_id from changed_dossiers)
    {%- endif %}

),

rules as (

    select * from {{ ref('service_index_rules') }}

),

sync_rule as (

    select value * 3600 as max_delay_seconds
    from rules
    where rule = 'sync_delay'

),

versions_timed as (

    select
        record_versions.dossier_id,
        record_versions.synced_at,
        record_versions.has_certified_copy,
        record_versions.uses_population_data,
        record_versions.is_shared_to_personal_store,
        record_versions._loaded_at,
        {{ dbt.datediff('record_versions.updated_at', 'record_versions.synced_at', 'second') }}
            as sync_delay_seconds,
        sync_rule.max_delay_seconds

    from record_versions
    cross join sync_rule

),

per_dossier as (

    select
        dossier_id,
        count(*) as versions_seen,
        count(synced_at) as versions_synced,
        count(*) filter (where sync_delay_seconds <= max_delay_seconds) as versions_synced_in_time,
        max(sync_delay_seconds) as max_sync_delay_seconds,
        -- once issued, used or shared, it stays so: any version that says so
        bool_or(has_certified_copy) as has_certified_copy,
        bool_or(uses_population_data) as uses_population_data,
        bool_or(is_shared_to_personal_store) as is_shared_to_personal_store,
        max(_loaded_at) as records_loaded_at

    from versions_timed
    group by dossier_id

)

select
    dossier_id,
    versions_seen,
    versions_synced,
    max_sync_delay_seconds,
    -- in real time: every version reached the portal within the delay (a version that never
    -- did is not in time); unknown when the system exports no sync time at all
    case when versions_synced > 0 then versions_synced_in_time = versions_seen end
        as is_synced_in_real_time,
    has_certified_copy,
    uses_population_data,
    is_shared_to_personal_store,
    records_loaded_at

from per_dossier
