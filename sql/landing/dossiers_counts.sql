-- Landing (DuckDB only): the accounting of each raw file of a chunk (`chunk_files`): rows read = the
-- rows the checks saw (`landing_checked`) + the records the CSV reader rejected (`raw_rejects`), and
-- of those, the rows landed. The runner writes them into the file's manifest entry, and fails the
-- land when read ≠ landed + quarantined.
with files as (
    select * from chunk_files
),

checked as (
    select file_no, count(*) as n, count_if(is_valid) as ok
    from landing_checked
    group by file_no
),

rejected as (
    select file_no, count(*) as n
    from raw_rejects
    group by file_no
),

final as (
    select
        files.file_no,
        coalesce(checked.n, 0) + coalesce(rejected.n, 0) as n_read,
        coalesce(checked.ok, 0) as n_ok
    from files
    left join checked on checked.file_no = files.file_no
    left join rejected on rejected.file_no = files.file_no
)

select * from final
