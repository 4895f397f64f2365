-- every rank of a published PCI table is the rank its totals give (equal totals sharing the best rank); warns: a row here is a transcription error to check against VCCI's table, and chiso keeps the published rank
{{ config(severity='warn') }}

select year, province_key, published_name, total_score, rank, rank_as_ranked
from {{ ref('pci_index_yearly') }}
where rank <> rank_as_ranked
