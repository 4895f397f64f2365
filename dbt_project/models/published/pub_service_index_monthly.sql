-- published: the real-time service index, released units only, ranked among them (a unit
-- withheld by the quality gate is neither ranked nor counted in "of M")
{{ config(alias='service_index_monthly') }}
{%- set scope = ['released.period_start', 'released.unit_type', 'released.code_system',
                 "case when released.unit_type = 'agency' then released.province_key end"] %}

with scores as (

    select * from {{ ref('service_index_monthly') }}

),

flags as (

    {{ publication_flags('scores', ['period_start', 'unit_type', 'code_system', 'unit_key'],
                         'unit_key', 'period_start', 'period_end',
                         ['service_index', 'dossier_indicators']) }}

),

released as (

    select scores.*, flags.quality_flags
    from scores
    left join flags
        on flags.period_start = scores.period_start and flags.unit_type = scores.unit_type
        and flags.code_system = scores.code_system and flags.unit_key = scores.unit_key
    where not coalesce(flags.is_withheld, false)

)

select
    released.period_start,
    released.period_end,
    released.unit_type,
    released.code_system,
    released.unit_key,
    released.unit_name,
    released.province_key,
    released.region_code,
    released.is_mapped_forward,
    released.version,
    released.publicity_points,
    released.progress_points,
    released.digitisation_points,
    released.online_services_points,
    released.satisfaction_points,
    released.online_payment_points,
    released.groups_not_applicable,
    released.total_score,
    released.total_score_rounded,
    released.rank_scope,
    cast({{ competition_rank('released.total_score', partition_by=scope) }} as integer) as rank,
    cast({{ ranked_count('released.total_score', partition_by=scope) }} as integer) as units_ranked,
    released.band_code,
    released.band_name,
    'published' as publication_status,
    released.quality_flags

from released
