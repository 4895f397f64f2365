-- one row per SIPAS respondent, typed, with the province key of the survey's fieldwork
with source_responses as (

    select * from {{ source('surveys', 'sipas_responses') }}

),

renamed as (

    select
        trim(survey_id) as survey_id,
        cast(survey_year as integer) as survey_year,
        {{ clean_province_code('province_code') }} as province_code,
        {{ clean_text('district_code') }} as district_code,
        {{ clean_text('commune_code') }} as commune_code,
        trim(respondent_id) as respondent_id,
        {{ clean_text('interviewer_id') }} as interviewer_id,
        lower(trim(mode)) as mode,
        started_at,
        ended_at,
        weight as sampling_weight,
        {{ clean_text('gender') }} as gender,
        cast(birth_year as integer) as birth_year,
        {{ clean_text('education') }} as education,
        {{ clean_text('occupation') }} as occupation,
        {{ clean_text('ethnicity') }} as ethnicity,
        -- pseudonymised at ingestion (keyed hash); never carried into marts
        respondent_phone_hmac,
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
    respondent_id,
    interviewer_id,
    mode,
    started_at,
    ended_at,
    {{ dbt.datediff('started_at', 'ended_at', 'second') }} as interview_seconds,
    sampling_weight,
    gender,
    birth_year,
    education,
    occupation,
    ethnicity,
    respondent_phone_hmac,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
