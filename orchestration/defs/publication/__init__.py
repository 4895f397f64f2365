"""Publication: the published models and the atomic `published.duckdb` with its exports."""

import dagster as dg

from orchestration.defs.publication.assets import dbt_published_models, published_file

defs = dg.Definitions(assets=[dbt_published_models, published_file])
