-- DuckDB spellings of the Trino functions the sql/ models use (docs/architecture.md, "One SQL for DuckDB and Athena"). Loaded by
-- functions/core/engine/duckdb-engine.ts after SET integer_division = true; each one is tested in
-- test/sql/engine.test.ts ("DuckDbEngine shims"). Macros in the main schema take precedence over DuckDB's built-ins.
CREATE OR REPLACE MACRO approx_percentile(x, p) AS approx_quantile(x, p);
CREATE OR REPLACE MACRO day_of_week(d) AS isodow(d);
CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p);
CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p);
CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x);
CREATE OR REPLACE MACRO array_join(a, s) AS array_to_string(a, s);
CREATE OR REPLACE MACRO cardinality(a) AS len(a);
-- Trino counts complete units (date_sub); DuckDB's date_diff counts boundaries crossed.
CREATE OR REPLACE MACRO date_diff(u, a, b) AS date_sub(u, a, b);
-- Trino's count_if is a BIGINT count; DuckDB's is a HUGEINT sum, which its Parquet writer stores as DOUBLE.
-- A filtered count is a BIGINT too, and ≈ 2 × faster than count(CASE WHEN x THEN 1 END) (bench/history.md, change 49).
CREATE OR REPLACE MACRO count_if(x) AS count(*) FILTER (WHERE x);
