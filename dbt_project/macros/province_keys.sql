{#- The province code system in force on a date: codes 15, 24, 44, 52, 80, 82, 91 mean a
    different province before and after the 2025 merger, so a code alone is ambiguous. -#}
{% macro province_code_system(date_expr) -%}
    case when {{ date_expr }} < date '{{ var("merger_date") }}' then 'gso63' else 'gso34' end
{%- endmacro %}

{#- Province codes are two digits; an export that went through a number ("1") loses the zero. -#}
{% macro clean_province_code(column) -%}
    lpad(nullif(trim({{ column }}), ''), 2, '0')
{%- endmacro %}

{#- The warehouse-wide province key: `<code_system>:<code>`, e.g. gso63:15. -#}
{% macro province_key(code_system_expr, code_expr) -%}
    ({{ code_system_expr }}) || ':' || ({{ code_expr }})
{%- endmacro %}

{#- Agency codes carry their province code system as a prefix: T63.<province>.<unit> or T34. -#}
{% macro agency_code_system(column) -%}
    case
        when {{ column }} like 'T63.%' then 'gso63'
        when {{ column }} like 'T34.%' then 'gso34'
    end
{%- endmacro %}

{#- The code system of a survey's sample frame: the one in force on the survey's first interview
    (one frame per survey), else at the end of its year when no interview has a start time. -#}
{% macro survey_frame_code_system(started_at='started_at', survey_id='survey_id',
                                  survey_year='survey_year') -%}
    {{ province_code_system('coalesce(cast(min(' ~ started_at ~ ') over (partition by '
                            ~ survey_id ~ ') as date), make_date(' ~ survey_year ~ ', 12, 31))') }}
{%- endmacro %}

{#- A yearly assessment (PAR INDEX, internal index) covers the units that exist at the end of
    its year: 2024 -> gso63, 2025 -> gso34. -#}
{% macro year_code_system(year_expr) -%}
    {{ province_code_system('make_date(cast(' ~ year_expr ~ ' as integer), 12, 31)') }}
{%- endmacro %}

{#- A province's name as a matching key: lower case, without "tỉnh", "thành phố" or "TP." in
    front ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh" and "Hồ Chí Minh" are one key). Names are
    NFC from ingestion, so the diacritics compare as they are. -#}
{% macro province_name_key(column) -%}
    regexp_replace(lower(trim({{ column }})), '^(tỉnh|thành phố|tp[.]?)[ ]*', '')
{%- endmacro %}
