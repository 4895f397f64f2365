"""The published layer: a separate DuckDB file that BI tools open at any time, swapped in whole
after the gate, kept with its history, its exports and its dashboard. Uses only `foundation`."""
