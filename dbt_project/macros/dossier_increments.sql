{#- The incremental dossier models (int_dossier_records__latest, int_dossier__events_ordered,
    int_dossier__supplements, int_dossier__consistency_flags, int_dossier__digital_services,
    int_dossier__lifecycle).

    Each run recomputes, whole, the dossiers whose record versions or events were loaded after
    the newest load the model has seen (its watermark, read from the model itself), and replaces
    their rows; every other dossier's rows stay as they are. What they are judged against (legal
    times, the working-day calendar, agencies, the crosswalk) or the models' code changing moves
    old dossiers too: the orchestration then runs `dbt build --full-refresh`
    (orchestration/lib/unpartitioned_build.py). -#}

{#- The model's config: delete+insert on its key where the adapter has it. -#}
{% macro dossier_incremental(unique_key) %}
    {{ return(adapter.dispatch('dossier_incremental', 'chiso')(unique_key)) }}
{% endmacro %}

{% macro default__dossier_incremental(unique_key) %}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert',
               'unique_key': unique_key, 'on_schema_change': 'fail'}) }}
{% endmacro %}

{#- Spark on Parquet files has neither delete+insert nor merge, and insert_overwrite replaces
    whole partitions: a table rebuilt every run there (the same rows, without the saving). -#}
{% macro spark__dossier_incremental(unique_key) %}
    {{ return({'materialized': 'table'}) }}
{% endmacro %}

{#- The newest load time the model has seen in `column`, as a timestamp literal (1900 before
    its first build): rows loaded after it are new. Read when the model is compiled, before its
    pre-hook runs, so the hook and the model agree.
    A model holding rows for some dossiers only (the flagged ones, those with a supplement)
    lags behind when the newest loads gave it no row, and would check those dossiers again
    each night: `or_last_build` moves it up to the last successful build of the unpartitioned
    models, which saw every row loaded until then (macros/incremental_tests.sql). -#}
{% macro loaded_through(column, or_last_build=false) %}
    {%- set value = none -%}
    {%- if execute and is_incremental() -%}
        {%- set value = run_query('select max(' ~ column ~ ') from ' ~ this).columns[0].values()[0] -%}
        {%- set build = last_build_loaded_through() if or_last_build else none -%}
        {%- if build is not none and (value is none or build > value) -%}
            {%- set value = build -%}
        {%- endif -%}
    {%- endif -%}
    cast('{{ value if value is not none else "1900-01-01 00:00:00" }}' as timestamp)
{%- endmacro %}

{#- The dossiers with a record version or an event loaded after `watermark` (raw is in load
    order, so the scans read only the newest row groups). A test names the two relations
    itself: a ref() it does not depend on is refused there. -#}
{% macro dossiers_loaded_after(watermark, records=none, events=none) %}
    select dossier_id from {{ records or ref('stg_dossier_portal__records') }} where _loaded_at > {{ watermark }}
    union
    select dossier_id from {{ events or ref('stg_dossier_portal__events') }} where _loaded_at > {{ watermark }}
{% endmacro %}

{#- Pre-hook: the rows of the dossiers about to be recomputed go first, so that a dossier with
    fewer rows than before (a request no longer seen) keeps none of its old ones. -#}
{% macro delete_loaded_dossiers(watermark_column, or_last_build=false) %}
    {%- if is_incremental() -%}
        delete from {{ this }} where dossier_id in (
            {{ dossiers_loaded_after(loaded_through(watermark_column, or_last_build)) }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{#- Pre-hook of the lifecycle: the dossiers the consistency checks set aside keep no row (a
    dossier flagged by its new rows is not in the batch that replaces the old ones). -#}
{% macro delete_flagged_dossiers() %}
    {%- if is_incremental() -%}
        delete from {{ this }} where dossier_id in (
            select dossier_id from {{ ref('int_dossier__consistency_flags') }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
