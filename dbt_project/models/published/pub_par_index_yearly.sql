-- published: the PAR INDEX, released provinces only, ranked among them; a province whose
-- survey (SIPAS) was withheld is withheld too: its survey points come from that survey. The
-- change is on the previous round's released ranks
{{ config(alias='par_index_yearly') }}

with scores as (

    select
        *,
        make_date(cast(year as integer), 1, 1) as round_start,
        make_date(cast(year as integer) + 1, 1, 1) as round_end
    from {{ ref('par_index_yearly') }}

),

flags as (

    {{ publication_flags('scores', ['year', 'province_key'], 'province_key', 'round_start', 'round_end',
                         ['par_index', 'sipas']) }}

),

released as (

    select scores.*, flags.quality_flags
    from scores
    left join flags
        on flags.year = scores.year
        and flags.province_key = scores.province_key
    where not coalesce(flags.is_withheld, false)

),

reranked as (

    select
        released.*,
        {{ competition_rank('released.pct_of_max', partition_by=['released.year'], is_ranked='released.is_ranked') }} as released_rank,
        {{ ranked_count('released.pct_of_max', partition_by=['released.year'], is_ranked='released.is_ranked') }} as released_rank_of
    from released

)

select
    released.year,
    released.province_key,
    released.province_code,
    released.code_system,
    released.province_name,
    released.region_code,
    released.region_name,
    released.methodology_version,
    released.status,
    released.not_computed_reason,
    released.appraised_points,
    released.survey_points,
    released.total_points,
    released.max_points,
    released.pct_of_max,
    released.pct_of_max_published,
    released.band,
    released.is_ranked,
    cast(released.released_rank as integer) as rank,
    cast(released.released_rank_of as integer) as rank_of,
    cast({{ competition_rank('released.pct_of_max', partition_by=['released.year', 'released.region_code'], is_ranked='released.is_ranked') }} as integer) as region_rank,
    cast({{ ranked_count('released.pct_of_max', partition_by=['released.year', 'released.region_code'], is_ranked='released.is_ranked') }} as integer) as region_rank_of,
    released.previous_total_points,
    released.points_change,
    released.pct_change,
    cast(previous_round.released_rank as integer) as previous_rank,
    -- places gained since the previous round, both ranks among released units
    cast(previous_round.released_rank - released.released_rank as integer) as rank_change,
    released.is_new_unit,
    released.comparable_previous_pct,
    released.comparable_previous_rank,
    released.comparable_rank_change,
    released.pct_low,
    released.pct_high,
    released.rank_best,
    released.rank_worst,
    released.rank_change_low,
    released.rank_change_high,
    released.rank_change_beyond_noise,
    'published' as publication_status,
    released.quality_flags

from reranked as released
left join reranked as previous_round
    on previous_round.year = released.year - 1
    and previous_round.province_key = released.province_key
