{#- The normal distribution in portable SQL (exp, ln, sqrt only), for the survey checks' null
    model and p-values (SPEC 4). Pass a column name, not a long expression: each macro repeats
    its argument. -#}

{#- Upper tail P(Z > z) of the standard normal: ½ erfc(z / √2), with the Chebyshev fit of erfc
    of Numerical Recipes (§6.2), whose relative error is below 1.2e-7 everywhere, so tails of
    1e-10 keep their digits (a Holm-corrected test needs them). -#}
{% macro normal_upper_tail(z) -%}
    (case when {{ z }} >= 0
        then 0.5e0 * {{ _erfc_positive('(' ~ z ~ ') / sqrt(2e0)') }}
        else 1e0 - 0.5e0 * {{ _erfc_positive('(-(' ~ z ~ ')) / sqrt(2e0)') }}
    end)
{%- endmacro %}

{% macro normal_cdf(z) -%}
    (1e0 - {{ normal_upper_tail(z) }})
{%- endmacro %}

{% macro _erfc_positive(x) -%}
    {%- set t = '(1e0 / (1e0 + 0.5e0 * ' ~ x ~ '))' -%}
    ({{ t }} * exp(-({{ x }}) * ({{ x }}) - 1.26551223e0 + {{ t }} * (1.00002368e0 + {{ t }} * (0.37409196e0
        + {{ t }} * (0.09678418e0 + {{ t }} * (-0.18628806e0 + {{ t }} * (0.27886807e0 + {{ t }} * (-1.13520398e0
        + {{ t }} * (1.48851587e0 + {{ t }} * (-0.82215223e0 + {{ t }} * 0.17087277e0))))))))))
{%- endmacro %}

{% macro normal_density(z) -%}
    (exp(-0.5e0 * ({{ z }}) * ({{ z }})) / sqrt(2e0 * pi()))
{%- endmacro %}

{#- The standard normal quantile Φ⁻¹(p) for 0 < p < 1 by Acklam's rational approximation
    (relative error below 1.2e-9): the tails through sqrt(-2 ln p), so p = 1e-300 still works. -#}
{% macro normal_quantile(p) -%}
    (case
        when {{ p }} < 0.02425e0 then {{ _acklam_tail('sqrt(-2e0 * ln(' ~ p ~ '))') }}
        when {{ p }} > 0.97575e0 then -{{ _acklam_tail('sqrt(-2e0 * ln(1e0 - (' ~ p ~ ')))') }}
        else {{ _acklam_central('(' ~ p ~ ') - 0.5e0') }}
    end)
{%- endmacro %}

{% macro _acklam_tail(q) -%}
    ((((((-7.784894002430293e-03 * {{ q }} - 3.223964580411365e-01) * {{ q }} - 2.400758277161838e0) * {{ q }}
        - 2.549732539343734e0) * {{ q }} + 4.374664141464968e0) * {{ q }} + 2.938163982698783e0)
     / ((((7.784695709041462e-03 * {{ q }} + 3.224671290700398e-01) * {{ q }} + 2.445134137142996e0) * {{ q }}
        + 3.754408661907416e0) * {{ q }} + 1e0))
{%- endmacro %}

{% macro _acklam_central(q) -%}
    {%- set r = '((' ~ q ~ ') * (' ~ q ~ '))' -%}
    ((((((-3.969683028665376e+01 * {{ r }} + 2.209460984245205e+02) * {{ r }} - 2.759285104469687e+02) * {{ r }}
        + 1.383577518672690e+02) * {{ r }} - 3.066479806614716e+01) * {{ r }} + 2.506628277459239e0) * ({{ q }})
     / (((((-5.447609879822406e+01 * {{ r }} + 1.615858368580409e+02) * {{ r }} - 1.556989798598866e+02) * {{ r }}
        + 6.680131188771972e+01) * {{ r }} - 1.328068155288572e+01) * {{ r }} + 1e0))
{%- endmacro %}

{#- Gauss–Hermite quadrature for E[f(X)], X ~ N(0, 1): ten nodes and weights (probabilists'
    Hermite, weights summing to 1). Ten nodes integrate the survey null model's expectations to
    within about 1% of a 40-node rule (measured on SIPAS and the officials' survey). -#}
{% macro standard_normal_nodes() -%}
    select node_number, node_value, node_weight
    from (values
        (1, -4.859462828332312e0, 4.3106526307183114e-06),
        (2, -3.581823483551927e0, 7.580709343122171e-04),
        (3, -2.4843258416389546e0, 1.911158050077027e-02),
        (4, -1.4659890943911582e0, 1.3548370298026777e-01),
        (5, -4.8493570751549764e-01, 3.4464233493201896e-01),
        (6, 4.8493570751549764e-01, 3.4464233493201896e-01),
        (7, 1.4659890943911582e0, 1.3548370298026777e-01),
        (8, 2.4843258416389546e0, 1.911158050077027e-02),
        (9, 3.581823483551927e0, 7.580709343122171e-04),
        (10, 4.859462828332312e0, 4.3106526307183114e-06)
    ) as nodes(node_number, node_value, node_weight)
{%- endmacro %}
