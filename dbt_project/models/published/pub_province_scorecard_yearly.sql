-- published: the province scorecard the newspapers quote. Per year, province and index chiso
-- holds (SIPAS, PAR INDEX, PCI, PAPI, the yearly mean of the monthly 766 index): the published
-- score, rank "N of M" among the released units, band or group, change in points and places on
-- the year before, the unit's status (scored, not scored and why, not computed and why) and a
-- Vietnamese sentence as the press writes it, generated from these numbers
{{ config(alias='province_scorecard_yearly') }}

with indices as (

    select * from {{ ref('scorecard_indices') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

-- each index as published: its mart's rows, withheld by the quality gate as its published table
-- withholds them, and the others ranked among themselves by the one ranking macro
-- (assert_scorecard_agrees_with_published_indices checks the ranks against the published tables)
par_released as (

    select *, is_ranked and not is_withheld as is_released
    from (
        {{ with_yearly_publication(ref('par_index_yearly'), 'year', ['year', 'province_key'],
                                   ['par_index', 'sipas']) }}
    ) as rows

),

par_rows as (

    select
        'par_index' as index_code,
        year,
        province_key,
        case when is_withheld then 'not_scored' when is_released then 'scored'
            else 'not_computed' end as status,
        case when is_withheld then withheld_reasons else not_computed_reason end
            as status_reason,
        case when is_released then pct_of_max_published end as score,
        {{ competition_rank('pct_of_max', ['year'], 'is_released') }} as rank,
        {{ ranked_count('pct_of_max', ['year'], 'is_released') }} as rank_of,
        case when is_released then band end as group_name,
        is_new_unit,
        comparable_previous_rank
            - {{ competition_rank('pct_of_max', ['year'], 'is_released') }}
            as comparable_rank_change
    from par_released

),

-- SIPAS, its overall index
sipas_released as (

    select *, is_ranked and not is_withheld as is_released
    from (
        {{ with_yearly_publication(ref('sipas_index_yearly'), 'survey_year',
                                   ['survey_year', 'province_key'], ['sipas'],
                                   where="element_code = 'overall'") }}
    ) as rows

),

sipas_rows as (

    select
        'sipas' as index_code,
        survey_year as year,
        province_key,
        case when is_withheld then 'not_scored' when is_released then 'scored'
            else 'not_computed' end as status,
        case when is_withheld then withheld_reasons else not_computed_reason end
            as status_reason,
        case when is_released then index_pct_published end as score,
        {{ competition_rank('index_pct', ['survey_year'], 'is_released') }} as rank,
        {{ ranked_count('index_pct', ['survey_year'], 'is_released') }} as rank_of,
        cast(null as {{ dbt.type_string() }}) as group_name,
        is_new_unit,
        comparable_previous_rank
            - {{ competition_rank('index_pct', ['survey_year'], 'is_released') }}
            as comparable_rank_change
    from sipas_released

),

-- PAPI, its total out of 80, grouped into quartiles among the released provinces
papi_ranked as (

    select
        released.*,
        {{ competition_rank('score', ['survey_year'], 'is_released',
                            precision=var('papi_published_decimals')) }} as released_rank,
        {{ ranked_count('score', ['survey_year'], 'is_released') }} as released_rank_of
    from (
        select *, is_ranked and not is_withheld as is_released
        from (
            {{ with_yearly_publication(ref('papi_index_yearly'), 'survey_year',
                                       ['survey_year', 'province_key'], ['papi'],
                                       where="component_code = 'total'") }}
        ) as rows
    ) as released

),

papi_groups as (

    select * from {{ ref('index_rank_groups') }}
    where index_family = 'papi'

),

papi_rows as (

    select
        'papi' as index_code,
        ranked.survey_year as year,
        ranked.province_key,
        case when ranked.is_withheld then 'not_scored' when ranked.is_released then 'scored'
            else 'not_computed' end as status,
        case when ranked.is_withheld then ranked.withheld_reasons
            else ranked.not_computed_reason end as status_reason,
        case when ranked.is_released then ranked.score_published end as score,
        ranked.released_rank as rank,
        ranked.released_rank_of as rank_of,
        papi_groups.group_name_vi as group_name,
        ranked.is_new_unit,
        ranked.comparable_previous_rank - ranked.released_rank as comparable_rank_change
    from papi_ranked as ranked
    left join papi_groups
        on {{ rank_group_condition('papi_groups', 'ranked.released_rank',
                                   'ranked.released_rank_of') }}

),

-- PCI as VCCI published it (its ranks stand); a row withheld by a steward says so
pci_scores as (

    {{ with_yearly_publication(ref('pci_index_yearly'), 'year', ['year', 'province_key'],
                               ['pci']) }}

),

pci_rows as (

    select
        'pci' as index_code,
        year,
        province_key,
        case when is_withheld then 'not_scored' else 'scored' end as status,
        case when is_withheld then withheld_reasons end as status_reason,
        case when not is_withheld then total_score end as score,
        case when not is_withheld then rank end as rank,
        case when not is_withheld then rank_of end as rank_of,
        case when not is_withheld then group_name end as group_name,
        is_new_unit,
        cast(null as integer) as comparable_rank_change
    from pci_scores

),

-- the 766 service index: the mean of a province's monthly scores over the year, under both code
-- systems (old provinces mapped forward, for the comparable figure); a province withheld in any
-- month of the year is not scored that year
service_months as (

    select
        *,
        cast(extract(year from period_start) as integer) as year
    from {{ ref('service_index_monthly') }}
    where unit_type = 'province'

),

service_flags as (

    {{ publication_flags('service_months', ['period_start', 'code_system', 'unit_key'],
                         'unit_key', 'period_start', 'period_end',
                         ['service_index', 'dossier_indicators']) }}

),

service_years as (

    select
        months.year,
        months.code_system,
        months.unit_key as province_key,
        count(*) as months,
        sum(case when coalesce(flags.is_withheld, false) then 1 else 0 end) as months_withheld,
        min(flags.withheld_reasons) as withheld_reason,
        cast(avg(months.total_score) as double) as mean_score
    from service_months as months
    left join service_flags as flags
        on flags.period_start = months.period_start
        and flags.code_system = months.code_system
        and flags.unit_key = months.unit_key
    group by months.year, months.code_system, months.unit_key

),

service_ranked as (

    select
        *,
        months_withheld = 0 and mean_score is not null as is_scored,
        {{ published_round('mean_score') }} as score,
        {{ competition_rank('mean_score', ['year', 'code_system'],
                            'months_withheld = 0 and mean_score is not null') }} as rank,
        {{ ranked_count('mean_score', ['year', 'code_system'],
                        'months_withheld = 0 and mean_score is not null') }} as rank_of
    from service_years

),

service_rows as (

    select
        'service_index' as index_code,
        current_year.year,
        current_year.province_key,
        case when current_year.is_scored then 'scored' else 'not_scored' end as status,
        case when not current_year.is_scored then
            {{ dbt.concat(["'không xếp hạng: '",
                           "cast(current_year.months_withheld as " ~ dbt.type_string() ~ ")",
                           "' tháng bị tạm dừng công bố ('",
                           "coalesce(split_part(current_year.withheld_reason, 'không xếp hạng: ', 2), '')",
                           "')'"]) }}
        end as status_reason,
        case when current_year.is_scored then current_year.score end as score,
        current_year.rank,
        current_year.rank_of,
        cast(null as {{ dbt.type_string() }}) as group_name,
        current_year.year > first_year.year and previous_year.province_key is null
            as is_new_unit,
        case when previous_year.province_key is null
            then comparable.rank - current_year.rank end as comparable_rank_change
    from service_ranked as current_year
    cross join (select min(year) as year from service_years) as first_year
    left join service_ranked as previous_year
        on previous_year.year = current_year.year - 1
        and previous_year.province_key = current_year.province_key
        and previous_year.code_system = {{ year_code_system('previous_year.year') }}
    left join service_ranked as comparable
        on comparable.year = current_year.year - 1
        and comparable.province_key = current_year.province_key
        and comparable.code_system = current_year.code_system
    -- a year is read under the code system in force at its end (2025: the 34 provinces)
    where current_year.code_system = {{ year_code_system('current_year.year') }}

),

all_rows as (

    select * from par_rows
    union all
    select * from sipas_rows
    union all
    select * from papi_rows
    union all
    select * from pci_rows
    union all
    select * from service_rows

),

with_previous as (

    select
        current_year.*,
        {{ withheld_category('current_year.status_reason') }} as reason_category,
        previous_year.status as previous_status,
        previous_year.score as previous_score,
        previous_year.rank as previous_rank,
        case when current_year.status = 'scored' and previous_year.status = 'scored'
            then previous_year.rank - current_year.rank end as rank_change,
        case when current_year.status = 'scored' and previous_year.status = 'scored'
            then current_year.score - previous_year.score end as score_change
    from all_rows as current_year
    left join all_rows as previous_year
        on previous_year.index_code = current_year.index_code
        and previous_year.province_key = current_year.province_key
        and previous_year.year = current_year.year - 1

),

unscored as (

    -- the units a round left unscored, as the press lists them ("hai tỉnh Vĩnh Phúc, Tiền
    -- Giang không đưa số liệu vào báo cáo do dữ liệu bị nhiễu")
    select
        rows.index_code,
        rows.year,
        count(*) as unscored_count,
        {{ dbt.listagg('provinces.short_name', "', '", 'order by provinces.province_code') }}
            as unscored_names,
        case
            when min(case when provinces.province_name like 'Thành phố %' then 1 else 0 end) = 1
                then 'thành phố'
            when max(case when provinces.province_name like 'Thành phố %' then 1 else 0 end) = 0
                then 'tỉnh'
            else 'tỉnh, thành phố'
        end as unscored_noun,
        case when count(distinct rows.reason_category) = 1 then min(rows.reason_category) end
            as unscored_category
    from with_previous as rows
    inner join provinces on provinces.province_key = rows.province_key
    where rows.status = 'not_scored'
    group by rows.index_code, rows.year

),

unscored_notes as (

    select
        index_code,
        year,
        unscored_count,
        {{ unscored_note('unscored_count', 'unscored_noun', 'unscored_names',
                         'unscored_category') }} as note
    from unscored

)

select
    cast(rows.year as integer) as year,
    rows.province_key,
    provinces.province_code,
    provinces.code_system,
    provinces.province_name,
    provinces.short_name,
    provinces.region_code,
    rows.index_code,
    indices.index_name_vi as index_name,
    indices.short_name_vi as index_short_name,
    cast(indices.sort_order as integer) as index_order,
    rows.status,
    rows.status_reason,
    cast(rows.score as double) as score,
    indices.score_unit_vi as score_unit,
    cast(rows.rank as integer) as rank,
    cast(rows.rank_of as integer) as rank_of,
    rows.group_name,
    cast(rows.previous_score as double) as previous_score,
    cast(rows.score_change as double) as score_change,
    rows.previous_status,
    cast(rows.previous_rank as integer) as previous_rank,
    cast(rows.rank_change as integer) as rank_change,
    coalesce(rows.is_new_unit, false) as is_new_unit,
    cast(rows.comparable_rank_change as integer) as comparable_rank_change,
    cast(coalesce(unscored.unscored_count, 0) as integer) as units_not_scored,
    unscored.note as units_not_scored_note,
    {{ scorecard_sentence(
        label='indices.index_name_vi', year='rows.year', name='provinces.short_name',
        status='rows.status', reason_category='rows.reason_category',
        reason='rows.status_reason', score='rows.score', decimals=2,
        unit='indices.score_unit_vi', rank='rows.rank', rank_of='rows.rank_of',
        rank_change='rows.rank_change', previous_status='rows.previous_status',
        is_new_unit='coalesce(rows.is_new_unit, false)',
        comparable_rank_change='rows.comparable_rank_change',
        unscored_note='unscored.note', group_phrase='indices.group_phrase_vi',
        band_name='rows.group_name') }} as sentence_vi

from with_previous as rows
inner join indices on indices.index_code = rows.index_code
left join provinces on provinces.province_key = rows.province_key
left join unscored_notes as unscored
    on unscored.index_code = rows.index_code
    and unscored.year = rows.year
