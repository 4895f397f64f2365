{#- Tests that follow the increment: on the history's largest relations, an incremental build
    tests the rows it brought or rewrote instead of every row again (a night at 10 M dossiers
    spent 49 s re-testing rows the builds before had passed).

    A model opts in with `meta: {tested_rows: ...}`:
    - `loaded`: rows loaded since the last whole build (staging over raw);
    - `loaded_dossiers`: every row of the dossiers with a row loaded since then (the incremental
      dossier models, which rewrite those dossiers whole).

    "Since the last whole build" is the watermark the orchestration saves after the build of
    the unpartitioned models succeeded (ops.build_watermarks): every row loaded up to it passed
    that build's tests, as an error-severity failure stops the build before the watermark
    moves. So testing the rest is testing everything. Only error-severity tests of the kinds
    below are scoped (a warning must keep showing the old rows it found); `unique` checks the
    new rows' keys against the whole relation, so an old row repeating a new key still fails.
    Every test runs whole in a full refresh, in a first build, and on engines without the
    watermark table (Spark). -#}

{% macro get_where_subquery(relation) -%}
    {%- set scope = tested_rows_scope(relation) -%}
    {%- if scope is none -%}
        {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
    {%- endif -%}
    {%- set where = config.get('where') -%}
    {%- set test = model.test_metadata -%}
    {%- if test.name == 'unique' -%}
        {%- set column = test.kwargs.column_name -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ column }} in (
                select {{ column }} from {{ relation }} where {{ scope }})
             {%- if where %} and ({{ where }}){% endif %}) dbt_subquery
        {%- endset -%}
    {%- else -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ scope }}
             {%- if where %} and ({{ where }}){% endif %}) dbt_subquery
        {%- endset -%}
    {%- endif -%}
    {{ return(filtered) }}
{%- endmacro %}

{#- The condition picking the rows this test must see, or none: test them all. -#}
{% macro tested_rows_scope(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or model.resource_type != 'test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set test = model.test_metadata -%}
    {%- if test is none or test.get("namespace") is not none
            or test.name not in ['unique', 'not_null', 'accepted_values', 'relationships',
                                 'expression_is_true']
            or (config.get('severity') or 'error') | lower != 'error' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- set kind = (tested.config.meta or {}).get('tested_rows') if tested else none -%}
    {%- if kind not in ['loaded', 'loaded_dossiers']
            or tested.relation_name | lower != relation | string | lower -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = last_build_loaded_through() -%}
    {%- if since is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set watermark = "cast('" ~ since ~ "' as timestamp)" -%}
    {%- if kind == 'loaded' -%}
        {{ return('_loaded_at > ' ~ watermark) }}
    {%- endif -%}
    {%- set staging = 'model.' ~ project_name ~ '.stg_dossier_portal__' -%}
    {{ return('dossier_id in (' ~ dossiers_loaded_after(
        watermark, graph.nodes[staging ~ 'records'].relation_name,
        graph.nodes[staging ~ 'events'].relation_name) ~ ')') }}
{%- endmacro %}

{#- The newest load the last successful build of the unpartitioned models had seen (written by
    orchestration/lib/unpartitioned_build.py), or none. -#}
{% macro last_build_loaded_through() -%}
    {{ return(adapter.dispatch('last_build_loaded_through', 'chiso')()) }}
{%- endmacro %}

{#- Spark builds whole every time (macros/dossier_increments.sql): no watermark there. -#}
{% macro spark__last_build_loaded_through() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro default__last_build_loaded_through() -%}
    {%- set table = adapter.get_relation(database=target.database, schema='ops',
                                         identifier='build_watermarks') -%}
    {%- if table is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query("select loaded_through from " ~ table
                              ~ " where name = 'unpartitioned_models'").columns[0].values() -%}
    {{ return(found[0] if found else none) }}
{%- endmacro %}
