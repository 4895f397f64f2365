-- the scorecard reads every index as its published table does: the same rank, "of M" and change for every scored province-year (it ranks nothing of its own but the 766 yearly mean)
{{ config(meta={'dagster': {'ref': {'name': 'pub_province_scorecard_yearly'}}}) }}
with scorecard as (

    select * from {{ ref('pub_province_scorecard_yearly') }}
    where status = 'scored'

),

published as (

    select 'par_index' as index_code, year, province_key, rank, rank_of, rank_change
    from {{ ref('pub_par_index_yearly') }}
    union all
    select 'sipas', survey_year, province_key, rank, rank_of, rank_change
    from {{ ref('pub_sipas_index_yearly') }}
    where element_code = 'overall'
    union all
    select 'papi', survey_year, province_key, rank, rank_of, rank_change
    from {{ ref('pub_papi_index_yearly') }}
    where component_code = 'total'
    union all
    select 'pci', year, province_key, rank, rank_of, rank_change
    from {{ ref('pub_pci_index_yearly') }}

)

select scorecard.index_code, scorecard.year, scorecard.province_key, scorecard.rank,
    published.rank as published_rank, scorecard.rank_of, published.rank_of as published_rank_of,
    scorecard.rank_change, published.rank_change as published_rank_change
from scorecard
inner join published
    on published.index_code = scorecard.index_code
    and published.year = scorecard.year
    and published.province_key = scorecard.province_key
where scorecard.rank <> published.rank
    or scorecard.rank_of <> published.rank_of
    or coalesce(scorecard.rank_change, -999) <> coalesce(published.rank_change, -999)
