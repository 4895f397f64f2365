-- one row per PAPI respondent, typed, with the province key of the wave's fieldwork and its sampling design (district, commune, village: the cluster)
with source_responses as (

    select * from {{ source('surveys', 'papi_responses') }}

),

renamed as (

    select
        trim(survey_id) as survey_id,
        cast(survey_year as integer) as survey_year,
        {{ clean_province_code('province_code') }} as province_code,
        {{ clean_text('district_code') }} as district_code,
        {{ clean_text('commune_code') }} as commune_code,
        {{ clean_text('village_code') }} as village_code,
        trim(respondent_id) as respondent_id,
        {{ clean_text('interviewer_id') }} as interviewer_id,
        started_at,
        ended_at,
        weight as sampling_weight,
        {{ clean_text('gender') }} as gender_code,
        cast(birth_year as integer) as birth_year,
        {{ clean_text('ethnicity') }} as ethnicity_code,
        {{ clean_text('education') }} as education_code,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_responses

),

with_province_key as (

    select
        *,
        -- one sample frame per survey: its first interview decides the code system
        {{ survey_frame_code_system() }} as code_system

    from renamed

)

select
    survey_id || ':' || respondent_id as response_key,
    survey_id,
    survey_year,
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    district_code,
    commune_code,
    village_code,
    -- the sampling cluster (a village is unique within its wave and province)
    {{ dbt.concat(['survey_id', "':'", 'province_code', "':'", 'village_code']) }} as cluster_key,
    respondent_id,
    interviewer_id,
    started_at,
    ended_at,
    {{ dbt.datediff('started_at', 'ended_at', 'second') }} as interview_seconds,
    sampling_weight,
    gender_code,
    birth_year,
    ethnicity_code,
    education_code,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
