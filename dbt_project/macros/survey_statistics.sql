{#- A weighted variance around `mean` from running sums, (Σw·x² − 2·m·Σw·x + m²·Σw) / Σw.
    Where every value is the same the sums cancel to a rounding residue of about ±1e-16 whose
    sign and size depend on the engine's summation order; its square root would then publish a
    margin of error of 0.0001 points on one engine and 0 on another. A variance below 1e-12
    (far below any spread of 0..1 scores) is zero. -#}
{% macro weighted_variance(sum_w_squares, sum_w_values, mean, sum_w) -%}
    case when ({{ sum_w_squares }} - 2 * {{ mean }} * {{ sum_w_values }}
               + {{ mean }} * {{ mean }} * {{ sum_w }}) / {{ sum_w }} > 1e-12
        then ({{ sum_w_squares }} - 2 * {{ mean }} * {{ sum_w_values }}
              + {{ mean }} * {{ mean }} * {{ sum_w }}) / {{ sum_w }}
        else 0e0
    end
{%- endmacro %}

{#- Pearson's correlation, kept within [-1, 1]: on a few respondents the engines' corr leaves
    perfect correlations at 1 ± 1e-16 (DuckDB gives 1.0000000000000002 for about one pair in
    ten), which a `between -1 and 1` filter would drop on one engine and keep on the other.
    Null where it is undefined (every answer the same: NaN on some engines, null on others). -#}
{% macro bounded_correlation(x, y) -%}
    case when abs(corr({{ x }}, {{ y }})) <= 1 + 1e-9
        then least(greatest(corr({{ x }}, {{ y }}), -1e0), 1e0)
    end
{%- endmacro %}
