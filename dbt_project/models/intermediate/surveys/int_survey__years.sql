-- one row per survey and year with respondents: computed, or not computed with the reason (the first failed check and the number of errors)
with response_years as (

    select survey_code, survey_year, count(*) as respondents
    from {{ ref('int_survey__responses') }}
    group by survey_code, survey_year

),

errors as (

    select
        survey_code,
        survey_year,
        count(*) as errors,
        min(check_name) as first_check
    from {{ ref('int_survey__validation') }}
    group by survey_code, survey_year

),

rules as (

    select survey_code, survey_year, min(index_rule) as index_rule,
        min(index_rule_source) as index_rule_source, min(published_decimals) as published_decimals
    from {{ ref('int_survey__questionnaires') }}
    group by survey_code, survey_year

)

select
    response_years.survey_code,
    response_years.survey_year,
    response_years.respondents,
    rules.index_rule,
    rules.index_rule_source,
    coalesce(rules.published_decimals, 2) as published_decimals,
    case when errors.errors is null then 'computed' else 'not_computed' end as status,
    case when errors.errors is not null then
        {{ dbt.concat(["cast(errors.errors as " ~ dbt.type_string() ~ ")",
                       "' input error(s), first: '", "errors.first_check"]) }}
    end as not_computed_reason

from response_years
left join errors
    on errors.survey_code = response_years.survey_code
    and errors.survey_year = response_years.survey_year
left join rules
    on rules.survey_code = response_years.survey_code
    and rules.survey_year = response_years.survey_year
