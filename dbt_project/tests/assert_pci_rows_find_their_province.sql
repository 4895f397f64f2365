-- every row of a published PCI table names a province the warehouse knows, once a year (warns: a row listed here is left out of pci_index_yearly until its name is added or a code typed in beside it)
{{ config(severity='warn') }}

select
    year,
    published_name,
    _source_file,
    _source_row,
    case when province_key is null then 'no province of the year has this name'
        else 'two rows of the year name the same province' end as failure
from (
    select
        *,
        count(*) over (partition by year, province_key) as rows_of_province
    from {{ ref('int_pci__scores') }}
) as matched
where province_key is null or rows_of_province > 1
