-- Landing (DuckDB only): the rows of the chunk being landed as dossiers_landed.sql wrote them into the
-- batch (`batch_dossiers`, this chunk's rows: `_chunk` = `landing_run.chunk_no`), every one with the
-- checks' verdict, in the shape of dossiers_checked.sql's output: what dossiers_failed.sql and
-- dossiers_counts.sql read as `landing_checked` once the chunk is in the batch. The runner deletes the
-- rows that failed from the batch after it has quarantined and counted them.
with batch as (
    select * from batch_dossiers
),

run as (
    select * from landing_run
),

final as (
    select
        batch._file_no as file_no,
        batch.raw_row as row_no,
        batch._failed_field as failed_field,
        batch._failed_reason as failed_reason,
        batch._valid as is_valid,
        batch.dossier_id,
        batch.source,
        batch.procedure_code,
        batch.agency_code,
        batch.channel,
        batch.received_at,
        batch.due_at,
        batch.finished_at,
        batch.status,
        batch.supplement_days,
        batch.is_fee_bearing,
        batch.is_paid_online,
        batch.is_digitised,
        batch.has_e_result,
        batch.is_synced,
        batch.has_complaint,
        batch.updated_at,
        batch.returned_at,
        batch.supplement_requested_at,
        batch.supplement_received_at,
        batch.due_at_reset,
        batch.result_type,
        batch.deleted_at
    from batch
    inner join run on run.chunk_no = batch._chunk
)

select * from final
