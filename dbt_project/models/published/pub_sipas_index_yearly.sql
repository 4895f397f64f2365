-- published: the satisfaction index of public administrative services (SIPAS)
{{ config(alias='sipas_index_yearly') }}
with released as (

    select * from {{ ref('sipas_index_yearly') }}

)

select
    survey_year,
    province_key,
    province_code,
    code_system,
    province_name,
    region_code,
    region_name,
    element_code,
    element_name,
    status,
    not_computed_reason,
    index_rule,
    index_rule_source,
    respondents,
    design_effect,
    index_pct,
    index_pct_published,
    margin_of_error_pct,
    margin_of_error_formula,
    index_low_pct,
    index_high_pct,
    is_ranked,
    rank,
    rank_of,
    rank_best,
    rank_worst,
    previous_rank,
    rank_change,
    rank_change_low,
    rank_change_high,
    rank_change_beyond_noise,
    is_new_unit,
    comparable_previous_index_pct,
    comparable_previous_rank,
    comparable_rank_change,
    answers_out_of_scale

from released
