-- every version of every dossier, typed, with its province resolved to a code-system key
with source_records as (

    select * from {{ source('dossier_portal', 'records') }}

),

renamed as (

    select
        trim(dossier_id) as dossier_id,
        version,
        trim(procedure_code) as procedure_code,
        {{ clean_text('field_code') }} as field_code,
        trim(agency_code) as agency_code,
        {{ clean_province_code('province_code') }} as province_code,
        lower(trim(level)) as level,
        trim(channel) as channel_code,
        submitted_at,
        received_at,
        due_at,
        processing_ended_at,
        result_returned_at,
        updated_at,
        trim(status_code) as status_code,
        {{ clean_text('paid_online') }} as paid_online_code,
        {{ clean_text('fee_list_json') }} as fee_list_json,
        {{ flag_to_boolean('has_digitised_component') }} as has_digitised_component,
        {{ flag_to_boolean('digitised') }} as is_digitised,
        {{ flag_to_boolean('reused_from_national_store') }} as is_reused_from_national_store,
        {{ clean_text('result_code') }} as result_code,
        {{ clean_text('result_file_url') }} as result_file_url,
        {{ flag_to_boolean('vneid_authenticated') }} as is_vneid_authenticated,
        {{ clean_text('rating') }} as rating_code,
        {{ flag_to_boolean('has_complaint') }} as has_complaint,
        synced_at,
        {{ flag_to_boolean('has_certified_copy') }} as has_certified_copy,
        {{ flag_to_boolean('uses_population_data') }} as uses_population_data,
        {{ flag_to_boolean('shared_to_personal_store') }} as is_shared_to_personal_store,
        -- pseudonymised at ingestion (keyed hash); never carried into marts
        applicant_name_hmac,
        applicant_national_id_hmac,
        applicant_phone_hmac,
        _source_file,
        _source_row,
        _file_sha256,
        _loaded_at

    from source_records

),

with_province_key as (

    select
        *,
        -- the code system follows the submission date: a dossier keeps the unit it was filed in
        {{ province_code_system('submitted_at') }} as code_system,
        {{ agency_code_system('agency_code') }} as agency_code_system

    from renamed

)

select
    dossier_id || ':' || version as dossier_version_key,
    dossier_id,
    version,
    procedure_code,
    field_code,
    agency_code,
    agency_code_system,
    province_code,
    code_system,
    {{ province_key('code_system', 'province_code') }} as province_key,
    level,
    channel_code,
    submitted_at,
    cast(submitted_at as date) as submitted_on,
    received_at,
    due_at,
    processing_ended_at,
    result_returned_at,
    updated_at,
    status_code,
    paid_online_code,
    fee_list_json,
    has_digitised_component,
    is_digitised,
    is_reused_from_national_store,
    result_code,
    result_file_url,
    is_vneid_authenticated,
    rating_code,
    has_complaint,
    synced_at,
    has_certified_copy,
    uses_population_data,
    is_shared_to_personal_store,
    applicant_name_hmac,
    applicant_national_id_hmac,
    applicant_phone_hmac,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at

from with_province_key
