-- Landing (DuckDB only): the rows of a chunk that pass every check (dossiers_checked.sql, provided as
-- `landing_checked`), as they join the batch of landed dossiers: partitioned by source and the year and
-- month of receipt, with their lineage (the raw file's hash and the row's number in it). The runner
-- provides `chunk_files` (file_no, path, hash, file, fy, fm: the chunk's raw files in landing order, and
-- the period each was pulled for, 0 when none) and `landing_run` (source, raw_kind, landing_year,
-- landing_month). A vendor export's rows carry their own source (its mapping profile's); every other
-- kind's rows take the kind's source.
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
        checked.row_no as raw_row
    from checked
    inner join files on files.file_no = checked.file_no
    cross join run
    where checked.is_valid
)

select * from final
