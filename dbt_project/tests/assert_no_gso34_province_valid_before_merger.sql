-- no gso34 unit exists before 2025-07-01 and no gso63 unit after 2025-06-30
select province_key, code_system, valid_from, valid_to
from {{ ref('dim_province') }}
where (code_system = 'gso34' and valid_from < date '{{ var("merger_date") }}')
    or (code_system = 'gso63' and (valid_to is null or valid_to >= date '{{ var("merger_date") }}'))
