"""The same dbt models on Apache Spark: the raw layer handed over as Parquet (`lake`), the
project built by dbt-spark (`build`), and every model compared row for row with DuckDB's
(`compare`). Needs the `spark` extra (`uv sync --extra spark`) and a Java 17 runtime."""
