{#- The province scorecard's Vietnamese, as the press writes it ("xếp thứ 13/63 tỉnh, thành
    phố, tăng 27 bậc so với năm 2021"), generated from the numbers. Portable SQL: `||`,
    `replace`, `regexp_replace`, `case`. -#}

{#- A number the Vietnamese way: half up at `decimals`, decimal comma, no trailing zeros
    (86.60 -> "86,6", 90.00 -> "90", 44.35 -> "44,35"). -#}
{% macro vi_number(value, decimals=2) -%}
    case when ({{ value }}) is not null then
        replace(
            regexp_replace(
                cast(cast(round(cast({{ value }} as decimal(18, 6)), {{ decimals }})
                          as decimal(18, {{ decimals }})) as {{ dbt.type_string() }}),
                '[.]?0+$', ''),
            '.', ',')
    end
{%- endmacro %}

{#- Small counts in words ("hai tỉnh"), larger ones in digits. -#}
{% macro vi_count(value) -%}
    case {{ value }}
        when 1 then 'một' when 2 then 'hai' when 3 then 'ba' when 4 then 'bốn'
        when 5 then 'năm' when 6 then 'sáu' when 7 then 'bảy' when 8 then 'tám'
        when 9 then 'chín' when 10 then 'mười'
        else cast({{ value }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- "tăng 27 bậc", "giảm 3 bậc", "giữ nguyên thứ hạng" for a change in places (positive = up). -#}
{% macro vi_rank_change(change) -%}
    case
        when {{ change }} > 0 then 'tăng ' || cast({{ change }} as {{ dbt.type_string() }}) || ' bậc'
        when {{ change }} < 0 then 'giảm ' || cast(-({{ change }}) as {{ dbt.type_string() }})
            || ' bậc'
        else 'giữ nguyên thứ hạng'
    end
{%- endmacro %}

{#- The sentence of one index, province and year. Arguments are column expressions:
    `label` (Chỉ số PAPI), `year`, `name` (the province as the press names it), `status`
    (scored, not_scored, not_computed), `reason_category` (dữ liệu bị nhiễu) and `reason` (why not
    computed), `score`, `decimals`, `unit` (% or điểm), `rank`, `rank_of`, `rank_change`,
    `previous_status` (the unit's status the year before, null without a row), `is_new_unit`,
    `comparable_rank_change`, `unscored_note` (the units of the round not scored, see
    `unscored_note`), `group_phrase` (nằm trong nhóm {group} của cả nước) and `band_name`. -#}
{% macro scorecard_sentence(label, year, name, status, reason_category, reason, score, decimals,
                            unit, rank, rank_of, rank_change, previous_status, is_new_unit,
                            comparable_rank_change, unscored_note, group_phrase, band_name) -%}
    {%- set year_text = 'cast(' ~ year ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- set previous_year_text = 'cast(' ~ year ~ ' - 1 as ' ~ dbt.type_string() ~ ')' -%}
    case
        when {{ status }} = 'not_scored' then
            {{ label }} || ' năm ' || {{ year_text }} || ' của ' || {{ name }}
            || ' không được xếp hạng (' || coalesce({{ reason_category }}, 'dữ liệu chưa đạt kiểm tra chất lượng') || ').'
        when {{ status }} = 'not_computed' or {{ rank }} is null then
            {{ label }} || ' năm ' || {{ year_text }} || ' của ' || {{ name }}
            || ' chưa tính được (' || coalesce({{ reason }}, 'không có điểm') || ').'
        else
            {{ label }} || ' năm ' || {{ year_text }} || ' của ' || {{ name }}
            || ' đạt ' || {{ vi_number(score, decimals) }}
            || case when {{ unit }} = '%' then '%' else ' ' || {{ unit }} end
            || ', xếp thứ ' || cast({{ rank }} as {{ dbt.type_string() }}) || '/'
            || cast({{ rank_of }} as {{ dbt.type_string() }}) || ' tỉnh, thành phố'
            || coalesce(' (' || {{ unscored_note }} || ')', '')
            || case
                when {{ is_new_unit }} and {{ comparable_rank_change }} is not null then
                    ', là đơn vị mới sau sắp xếp (so với số liệu gộp của các tỉnh trước sắp xếp năm '
                    || {{ previous_year_text }} || ': ' || {{ vi_rank_change(comparable_rank_change) }}
                    || ')'
                when {{ is_new_unit }} then ', là đơn vị mới sau sắp xếp'
                when {{ rank_change }} is not null then
                    ', ' || {{ vi_rank_change(rank_change) }} || ' so với năm ' || {{ previous_year_text }}
                when {{ previous_status }} = 'not_scored' then
                    ', năm ' || {{ previous_year_text }} || ' không được xếp hạng'
                else '' end
            || case when {{ group_phrase }} is not null and {{ band_name }} is not null
                then ', ' || replace({{ group_phrase }}, '{group}', {{ band_name }}) else '' end
            || '.'
    end
{%- endmacro %}

{#- The units of a round left unscored, as the press lists them: "hai tỉnh Vĩnh Phúc, Tiền Giang
    không đưa số liệu vào báo cáo do dữ liệu bị nhiễu" (`noun`: tỉnh, thành phố, or both). -#}
{% macro unscored_note(count, noun, names, category) -%}
    case when {{ count }} > 0 then
        {{ vi_count(count) }} || ' ' || {{ noun }} || ' ' || {{ names }}
        || ' không đưa số liệu vào báo cáo do '
        || coalesce({{ category }}, 'dữ liệu chưa đạt kiểm tra chất lượng')
    end
{%- endmacro %}

{#- What a withheld unit's reason says it is (its category): "không xếp hạng: dữ liệu bị nhiễu —
    …" -> "dữ liệu bị nhiễu". -#}
{% macro withheld_category(reason) -%}
    nullif(split_part(split_part({{ reason }}, 'không xếp hạng: ', 2), ' — ', 1), '')
{%- endmacro %}
