-- every PAR INDEX methodology, the generated ones and the documented 2948/QĐ-BNV (2017) example, has eight fields whose maxima sum to 100 points
select methodology_version, origin, count(*) as fields, sum(max_points) as points
from {{ ref('int_par_index__methodology_fields') }}
group by methodology_version, origin
having count(*) <> 8 or abs(sum(max_points) - 100) > 0.0001
