-- Landing (DuckDB only): every row of a chunk the checks saw (dossiers_checked.sql, provided as
-- `landing_checked`), as it joins the batch of landed dossiers: partitioned by source and the year and
-- month of receipt, with its lineage (the raw file's hash and the row's number in it) and the checks'
-- verdict (`_valid`, `_failed_field`, `_failed_reason`) with its place in the chunk (`_chunk`,
-- `_file_no`). The runner then quarantines the rows that failed (dossiers_batch_checked.sql gives the
-- chunk's rows back in the checks' shape) and deletes them from the batch: one copy of the checked rows,
-- not a table of them and then the batch (bench/history.md, change 101). The runner provides
-- `chunk_files` (file_no, path, hash, file, fy, fm: the chunk's raw files in landing order, and the
-- month each was pulled for, 0 when none or not a month from the earliest year of receipt to the landing month: periods.ts, pulledMonth) and `landing_run` (source, raw_kind, landing_year,
-- landing_month, chunk_no). A vendor export's rows carry their own source (its mapping profile's);
-- every other kind's rows take the kind's source.
with checked as (
    select * from landing_checked
),

files as (
    select * from chunk_files
),

run as (
    select * from landing_run
),

final as (
    select
        case when run.raw_kind = 'dossier-export' then checked.source else run.source end as source,
        year(checked.received_at) as year,
        month(checked.received_at) as month,
        checked.dossier_id,
        checked.procedure_code,
        checked.agency_code,
        checked.channel,
        checked.received_at,
        checked.due_at,
        checked.finished_at,
        checked.status,
        checked.supplement_days,
        checked.is_fee_bearing,
        checked.is_paid_online,
        checked.is_digitised,
        checked.has_e_result,
        checked.is_synced,
        checked.has_complaint,
        checked.updated_at,
        checked.returned_at,
        checked.supplement_requested_at,
        checked.supplement_received_at,
        checked.due_at_reset,
        checked.result_type,
        checked.deleted_at,
        files.hash as raw_hash,
        checked.row_no as raw_row,
        run.chunk_no as _chunk,
        checked.file_no as _file_no,
        checked.is_valid as _valid,
        checked.failed_field as _failed_field,
        checked.failed_reason as _failed_reason
    from checked
    inner join files on files.file_no = checked.file_no
    cross join run
)

select * from final
