/**
 * How every Parquet file the pipeline writes is written (landed partitions, the landing log, models,
 * exported marts, as-of sources and snapshots): ZSTD, and DuckDB's default row group of 122 880 rows
 * spelled out, so the bytes (and the snapshot hashes) do not move with a DuckDB default.
 */
export const PARQUET_OPTIONS = 'FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880';
/** The row group size PARQUET_OPTIONS sets. */
export const ROW_GROUP_ROWS = 122_880;
