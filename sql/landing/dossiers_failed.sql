-- Landing (DuckDB only): the rows of a chunk that fail a check (dossiers_checked.sql, provided as
-- `landing_checked`), each with the value of its failing field as read (`failed_value`) and the whole
-- row as read (`raw_record`). Both come from the parser's view (`landing_parsed`) for these rows only:
-- the checks do not carry the fields as read (dossiers_checked.sql), and a parser computes a row's
-- values when the row is asked for. Read by dossiers_quarantined.sql and by the profile inspector.
with checked as (
    select * from landing_checked
    where not is_valid
),

parsed as (
    select * from landing_parsed
),

final as (
    select
        checked.*,
        case checked.failed_field
            when 'dossier_id' then parsed.dossier_id_raw
            when 'procedure_code' then parsed.procedure_code_raw
            when 'agency_code' then parsed.agency_code_raw
            when 'channel' then parsed.channel_raw
            when 'received_at' then parsed.received_at_raw
            when 'due_at' then parsed.due_at_raw
            when 'finished_at' then parsed.finished_at_raw
            when 'status' then parsed.status_raw
            when 'supplement_days' then parsed.supplement_days_raw
            when 'is_fee_bearing' then parsed.is_fee_bearing_raw
            when 'is_paid_online' then parsed.is_paid_online_raw
            when 'is_digitised' then parsed.is_digitised_raw
            when 'has_e_result' then parsed.has_e_result_raw
            when 'is_synced' then parsed.is_synced_raw
            when 'has_complaint' then parsed.has_complaint_raw
            when 'updated_at' then parsed.updated_at_raw
            when 'returned_at' then parsed.returned_at_raw
            when 'supplement_requested_at' then parsed.supplement_requested_at_raw
            when 'supplement_received_at' then parsed.supplement_received_at_raw
            when 'due_at_reset' then parsed.due_at_reset_raw
            when 'result_type' then parsed.result_type_raw
            when 'deleted_at' then parsed.deleted_at_raw
        end as failed_value,
        CAST(parsed.raw_record AS VARCHAR) as raw_record
    from checked
    inner join parsed on parsed.file_no = checked.file_no and parsed.row_no = checked.row_no
)

select * from final
