-- the latest known version of each dossier: highest version, then latest update, then latest load
with record_versions as (

    select * from {{ ref('stg_dossier_portal__records') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by dossier_id
            -- a re-sent file can repeat a version; the later update (then the later load) wins
            order by version desc, updated_at desc nulls last, _loaded_at desc, _source_row desc
        ) as version_rank,
        count(*) over (partition by dossier_id) as versions_seen

    from record_versions

)

select * except (version_rank)
from ranked
where version_rank = 1
