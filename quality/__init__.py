"""The quality gate (SPEC 4): Great Expectations over the warehouse, one results table, steward
decisions, and the stewards' report. Uses only the foundation below it."""
