-- Landing (DuckDB only): the rows of a chunk that go to quarantine, one record per row with the field
-- and the reason: the rows that fail a check (dossiers_failed.sql, as `landing_failed`: with the failing
-- field's value and the row as read) and the records the CSV reader could not split into the header's
-- fields (`raw_rejects`: file_no, row_no, reason, raw_line; see dossiers_csv_rejects.sql). Otherwise
-- inputs as for dossiers_landed.sql.
--
-- Partition (year, month) of a quarantined row: the month its file was pulled for (`fy`, `fm`: 0 unless a
-- month from the earliest year of receipt to the landing month; a file pulled for a year has none); else
-- the row's own month of receipt when that is plausible (from `landing_params.earliest_year`, the earliest
-- year of receipt the landing accepts and the first year Athena projects, to the landing year); else the
-- landing month. An implausible date
-- (year 1900, 9999) must not make a partition that no reader projects.
with checked as (
    select * from landing_failed
),

files as (
    select * from chunk_files
),

run as (
    select * from landing_run
),

params as (
    select * from landing_params
),

failed as (
    select
        'dossiers' as dataset,
        case when run.raw_kind = 'dossier-export' then checked.source else run.source end as source,
        case
            when files.fy > 0 then files.fy
            when year(checked.received_at) between params.earliest_year and run.landing_year then year(checked.received_at)
            else run.landing_year
        end as year,
        case
            when files.fy > 0 then files.fm
            when year(checked.received_at) between params.earliest_year and run.landing_year then month(checked.received_at)
            else run.landing_month
        end as month,
        run.raw_kind,
        files.file as source_file,
        checked.row_no,
        checked.failed_field as field,
        checked.failed_reason as reason,
        checked.failed_value as raw_value,
        checked.raw_record,
        files.hash as raw_hash
    from checked
    inner join files on files.file_no = checked.file_no
    cross join run
    cross join params
),

malformed as (
    select
        'dossiers' as dataset,
        run.source,
        case when files.fy > 0 then files.fy else run.landing_year end as year,
        case when files.fy > 0 then files.fm else run.landing_month end as month,
        run.raw_kind,
        files.file as source_file,
        rejects.row_no,
        CAST(NULL AS VARCHAR) as field,
        'malformed CSV record: ' || rejects.reason as reason,
        CAST(NULL AS VARCHAR) as raw_value,
        rejects.raw_line as raw_record,
        files.hash as raw_hash
    from raw_rejects as rejects
    inner join files on files.file_no = rejects.file_no
    cross join run
)

select * from failed
union all
select * from malformed
