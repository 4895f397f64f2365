{#- Monthly partitions of the incremental marts (tag `monthly`).

    A run materialises the periods that overlap [partition_start, partition_end) (ISO dates,
    half-open); without a window it materialises every period. By hand:
      dbt build --select tag:monthly --vars '{partition_start: 2025-03-01, partition_end: 2025-04-01}'
    rebuilds month 2025-03 and the quarter (2025-Q1) and year (2025) that contain it, and
    nothing else. The orchestration passes the window as CHISO_PARTITION_START/_END instead:
    dbt parses the whole project again (about 8 s) whenever --vars change, not when an
    environment variable read only at run time does. -#}

{#- The partition window asked for, as {'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD'}, or none;
    the yearly models read the same window (macros/yearly_partitions.sql). The vars win over
    the environment (unit tests set them empty: every period). -#}
{% macro partition_window() %}
    {%- set start = var('partition_start', none) -%}
    {%- set end = var('partition_end', none) -%}
    {#- read only when executing: a variable read while parsing ties the parse to its value -#}
    {%- if start is none and end is none and execute -%}
        {%- set start = env_var('CHISO_PARTITION_START', '') -%}
        {%- set end = env_var('CHISO_PARTITION_END', '') -%}
    {%- endif -%}
    {#- YAML reads an unquoted 2025-03-01 as a date: compare as ISO text -#}
    {%- set start = none if start is none or (start | string | trim) == '' else (start | string | trim) -%}
    {%- set end = none if end is none or (end | string | trim) == '' else (end | string | trim) -%}
    {%- if start is none and end is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if start is none or end is none -%}
        {{ exceptions.raise_compiler_error(
            "partition_start and partition_end go together (got " ~ start ~ ", " ~ end ~ ")") }}
    {%- endif -%}
    {%- for value in [start, end] -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
            {{ exceptions.raise_compiler_error("partition bounds are ISO dates, got " ~ value) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not start < end -%}
        {{ exceptions.raise_compiler_error("partition_start must be before partition_end") }}
    {%- endif -%}
    {{ return({'start': start, 'end': end}) }}
{% endmacro %}

{#- SQL predicate: the period [start_column, end_column) overlaps the partition (true without one). -#}
{% macro partition_overlaps(start_column, end_column) -%}
    {{- window_overlaps(partition_window(), start_column, end_column) -}}
{%- endmacro %}

{#- SQL predicate: the period [start_column, end_column) overlaps `window` (a partition_window()
    or partition_whole_years() value; true when none). -#}
{% macro window_overlaps(window, start_column, end_column) -%}
    {%- if window is none -%}
        true
    {%- else -%}
        ({{ start_column }} < date '{{ window.end }}' and {{ end_column }} > date '{{ window.start }}')
    {%- endif -%}
{%- endmacro %}

{#- The partition widened to the whole years it touches (none without a partition): the months
    a model must hold to roll its quarters and years up from them. -#}
{% macro partition_whole_years() %}
    {%- set partition = partition_window() -%}
    {%- if partition is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set years = years_of_window(partition) -%}
    {{ return({'start': years.first ~ '-01-01', 'end': (years.last + 1) ~ '-01-01'}) }}
{% endmacro %}

{#- Pre-hook of the monthly marts: the partition replaces its periods whole, so a unit that
    no longer appears in a period does not linger (delete+insert alone only replaces the keys
    it inserts). Runs inside the model's transaction, before the insert. Spark's Parquet tables
    take no delete: there the periods are dropped as table partitions
    (macros/portable/partitions.sql). -#}
{% macro delete_partition_periods() -%}
    {{ return(adapter.dispatch('delete_partition_periods', 'chiso')()) }}
{%- endmacro %}

{% macro default__delete_partition_periods() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ partition_overlaps('period_start', 'period_end') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
