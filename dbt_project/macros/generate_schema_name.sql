{#- Schemas are exactly the layer names (staging, intermediate, marts, seeds), not
    <target_schema>_staging: BI tools and the published layer rely on stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
