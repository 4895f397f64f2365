-- the documented 2948/QĐ-BNV (2017) example seed lists eight fields whose maxima sum to 100 points (the shipped configuration; an input methodology is taken as it is: % of maximum uses its own total)
select methodology_version, origin, count(*) as fields, sum(max_points) as points
from {{ ref('int_par_index__methodology_fields') }}
where origin like 'seed%'
group by methodology_version, origin
having count(*) <> 8 or abs(sum(max_points) - 100) > 0.0001
