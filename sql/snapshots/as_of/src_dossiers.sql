-- The dossiers as a report run on the snapshot's date would have seen them (snapshot_as_of.as_of_date,
-- the month's last day): a dossier received after it is left out; one finished after it is still
-- pending (no finished_at, status DANG_XU_LY), except one refused at intake after it
-- (TU_CHOI_TIEP_NHAN, whose finished_at is the refusal): on the date it was submitted and not yet
-- received (CHUA_TIEP_NHAN), which no report counts (docs/data-contracts.md §4.8), never a received,
-- pending dossier; one soft-deleted after it (deleted_at) was not deleted yet and counts as the reports of
-- that month counted it; its updated_at is at most the date's last second (a missing updated_at reads as
-- that second, as it did before these rules moved into SQL).
select
    d.dossier_id,
    d.procedure_code,
    d.agency_code,
    d.channel,
    d.received_at,
    d.due_at,
    case when cast(d.finished_at as date) > p.as_of_date then null else d.finished_at end as finished_at,
    case
        when cast(d.finished_at as date) > p.as_of_date and d.status = 'TU_CHOI_TIEP_NHAN' then 'CHUA_TIEP_NHAN'
        when cast(d.finished_at as date) > p.as_of_date then 'DANG_XU_LY'
        else d.status
    end as status,
    d.supplement_days,
    d.is_fee_bearing,
    d.is_paid_online,
    d.is_digitised,
    d.has_e_result,
    d.is_synced,
    d.has_complaint,
    case
        when d.updated_at is null or d.updated_at > cast(p.as_of_date as timestamp) + interval '1' day - interval '1' second
            then cast(p.as_of_date as timestamp) + interval '1' day - interval '1' second
        else d.updated_at
    end as updated_at,
    d.returned_at,
    d.supplement_requested_at,
    d.supplement_received_at,
    d.due_at_reset,
    d.result_type,
    case when cast(d.deleted_at as date) > p.as_of_date then null else d.deleted_at end as deleted_at,
    d.raw_hash,
    d.raw_row,
    d.source,
    d.year,
    d.month
from landed_dossiers as d
cross join snapshot_as_of as p
where cast(d.received_at as date) <= p.as_of_date
