-- the normal distribution macros (macros/distributions.sql) against reference values (scipy
-- 1.17): quantiles to 1e-8 relative, tails to 2e-7 relative, down to 1e-300 and 1e-33. Any
-- row returned is a failure. It runs with the survey checks that use the macros.
-- depends_on: {{ ref('int_quality__survey_tests') }}
with quantiles as (

    select * from (values
        (1e-300, -37.0470962993612e0), (1e-10, -6.361340902404056e0),
        (0.001e0, -3.090232306167813e0), (0.025e0, -1.9599639845400545e0),
        (0.3e0, -0.5244005127080409e0), (0.5e0, 0e0), (0.7e0, 0.5244005127080407e0),
        (0.975e0, 1.959963984540054e0), (0.999e0, 3.090232306167813e0)
    ) as expected(p, z)

),

tails as (

    select * from (values
        (-3e0, 0.9986501019683699e0), (-1.5e0, 0.9331927987311419e0), (0e0, 0.5e0),
        (1.96e0, 0.024997895148220435e0), (5e0, 2.866515718791933e-07),
        (8e0, 6.22096057427174e-16), (12e0, 1.776482112077653e-33)
    ) as expected(z, p)

)

select 'quantile' as macro, p as argument, z as expected, {{ normal_quantile('p') }} as computed
from quantiles
where abs({{ normal_quantile('p') }} - z) > 1e-8 * greatest(abs(z), 1e0)
union all
select 'upper tail', z, p, {{ normal_upper_tail('z') }}
from tails
where abs({{ normal_upper_tail('z') }} - p) > 2e-7 * p
