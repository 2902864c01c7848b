-- Landing (DuckDB only): the good records of a chunk's CSV exports, each with its file and its row number
-- in that file. The runner reads the chunk's files into `raw_input_unnumbered` (every header column as
-- text and `_csv_path`, the path the file was read from), one file after another and each file's lines
-- in order, so a record's rowid less its file's first rowid is its place among the file's good records;
-- `chunk_csv` (file_no, csv_path) names the files and `raw_rejects` (file_no, row_no) holds the records
-- the reader rejected (dossiers_csv_rejects.sql), whose numbers the good records' numbers skip.
-- (A grouped first rowid and an as-of join, not a window over the whole chunk: that window carried every
-- column through a sort; bench/history.md, change 29.)
with files as (
    select * from chunk_csv
),

first_rows as (
    select _csv_path, min(rowid) as first_rowid
    from raw_input_unnumbered
    group by _csv_path
),

numbered as (
    select
        files.file_no,
        raw.rowid - first_rows.first_rowid + 1 as k,
        raw.* exclude (_csv_path)
    from raw_input_unnumbered as raw
    inner join first_rows on first_rows._csv_path = raw._csv_path
    inner join files on files.csv_path = raw._csv_path
),

-- The j-th rejected record of a file (by row) follows `good_before` = its row - j good records: the
-- good record k comes after the rejects whose good_before < k, the last of them numbered `shift`.
rejects as (
    select
        file_no,
        row_no - row_number() over (partition by file_no order by row_no) as good_before,
        row_number() over (partition by file_no order by row_no) as shift
    from raw_rejects
),

shifts as (
    select file_no, good_before, max(shift) as shift
    from rejects
    group by file_no, good_before
),

final as (
    select
        CAST(numbered.file_no AS INTEGER) as file_no,
        CAST(numbered.k + coalesce(shifts.shift, 0) AS BIGINT) as row_no,
        numbered.* exclude (file_no, k)
    from numbered
    asof left join shifts on shifts.file_no = numbered.file_no and numbered.k > shifts.good_before
)

select * from final
