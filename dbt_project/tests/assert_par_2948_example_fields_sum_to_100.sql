-- the documented 2948/QĐ-BNV (2017) example lists eight fields whose maxima sum to 100 points
select methodology_version, count(*) as fields, sum(max_points) as points
from {{ ref('par_methodology_2948_qd_bnv_fields') }}
group by methodology_version
having count(*) <> 8 or abs(sum(max_points) - 100) > 0.0001
