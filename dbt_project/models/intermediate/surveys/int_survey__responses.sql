-- one row per respondent of every survey the engine scores, with its unit (province key), respondent type, sampling weight and sampling cluster (what the bootstrap resamples: the respondent, or PAPI's village)
with sipas_responses as (

    select
        'sipas' as survey_code,
        survey_id,
        survey_year,
        response_key,
        province_key as unit_key,
        province_code as unit_code,
        code_system,
        cast(null as {{ dbt.type_string() }}) as respondent_type,
        sampling_weight,
        -- SIPAS exports name the commune but not the cluster design: respondents resampled
        response_key as cluster_key
    from {{ ref('stg_surveys__sipas_responses') }}

),

officials_responses as (

    select
        'officials' as survey_code,
        survey_id,
        survey_year,
        response_key,
        province_key as unit_key,
        province_code as unit_code,
        code_system,
        position as respondent_type,
        -- the officials' survey is not weighted: every respondent counts once
        1e0 as sampling_weight,
        response_key as cluster_key
    from {{ ref('stg_surveys__officials_responses') }}

),

papi_responses as (

    select
        'papi' as survey_code,
        survey_id,
        survey_year,
        response_key,
        province_key as unit_key,
        province_code as unit_code,
        code_system,
        cast(null as {{ dbt.type_string() }}) as respondent_type,
        sampling_weight,
        -- about 16 interviews a village: the village is the cluster of PAPI's sample
        cluster_key
    from {{ ref('stg_surveys__papi_responses') }}

)

select * from sipas_responses
union all
select * from officials_responses
union all
select * from papi_responses
