-- the name the dossier indicators were first published under; it holds months, quarters and
-- years, so `dossier_indicators` is the name to use. Kept so existing queries keep working.
{{ config(materialized='view', pre_hook=[], contract={'enforced': false}) }}

select * from {{ ref('dossier_indicators') }}
