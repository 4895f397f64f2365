-- every survey, PAR INDEX and internal-index round has valid inputs; a row here is an input error that stopped its round (warns: the other rounds are still computed)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_survey__validation'}}}) }}

select
    'survey' as index_family,
    survey_code as round_of,
    survey_year as year,
    check_name,
    item,
    detail
from {{ ref('int_survey__validation') }}

union all

select
    'par_index' as index_family,
    province_key as round_of,
    year,
    check_name,
    item,
    detail
from {{ ref('int_par_index__validation') }}

union all

select
    'par_internal_index' as index_family,
    {{ dbt.concat(['province_code', "'/'", 'block', "'/'", "coalesce(unit_code, '')"]) }}
        as round_of,
    year,
    check_name,
    item,
    detail
from {{ ref('int_par_internal__validation') }}
