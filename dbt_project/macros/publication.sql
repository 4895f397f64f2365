{#- What the quality gate decided for the rows of a table about to be published: per row (its
    `keys`), whether any status of its unit overlapping its period withholds it, and the
    checks that flagged it, and the reasons a reader is shown for a withheld one. A monthly row is
    withheld when its unit is withheld for that month or for its year; a yearly row when withheld
    for its year. `rows` is a relation or CTE. -#}
{% macro publication_flags(rows, keys, unit_key, period_start, period_end, index_codes) -%}
    {%- set codes = "'" ~ (index_codes | join("', '")) ~ "'" -%}
    select
        {%- for key in keys %}
        flagged_rows.{{ key }},
        {%- endfor %}
        max(case when status.publication_status = 'withheld' then 1 else 0 end) = 1
            as is_withheld,
        {{ dbt.listagg('status.quality_flags', "', '", 'order by status.quality_flags') }} as quality_flags,
        {{ dbt.listagg("case when status.publication_status = 'withheld' then status.reason end",
                       "'; '", "order by case when status.publication_status = 'withheld' then status.reason end") }} as withheld_reasons

    from {{ rows }} as flagged_rows
    inner join {{ ref('publication_status') }} as status
        on status.index_code in ({{ codes }})
        and status.unit_key = flagged_rows.{{ unit_key }}
        and status.period_start < flagged_rows.{{ period_end }}
        and case status.period_type
                when 'month' then {{ dbt.dateadd('month', 1, 'status.period_start') }}
                else {{ dbt.dateadd('year', 1, 'status.period_start') }}
            end > flagged_rows.{{ period_start }}
    group by {% for key in keys %}flagged_rows.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}

{#- The rows of a yearly index table (`relation`, filtered by `where`) with what the quality gate
    decided for each in its year: is_withheld, withheld_reasons, quality_flags (the statuses of
    `index_codes` for the row's unit and year, by publication_flags). `keys` name a row. -#}
{% macro with_yearly_publication(relation, year_column, keys, index_codes, where='true') -%}
    {%- set rows -%}
        (select
            *,
            make_date(cast({{ year_column }} as integer), 1, 1) as round_start,
            make_date(cast({{ year_column }} as integer) + 1, 1, 1) as round_end
        from {{ relation }}
        where {{ where }})
    {%- endset -%}
    select
        yearly_rows.*,
        coalesce(flags.is_withheld, false) as is_withheld,
        flags.withheld_reasons,
        flags.quality_flags
    from {{ rows }} as yearly_rows
    left join (
        {{ publication_flags(rows, keys, 'province_key', 'round_start', 'round_end', index_codes) }}
    ) as flags
        on {% for key in keys %}flags.{{ key }} = yearly_rows.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
{%- endmacro %}
