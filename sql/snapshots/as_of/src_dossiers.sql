-- The dossiers as a report run on the snapshot's date would have seen them (snapshot_as_of.as_of_date,
-- the month's last day). A dossier a later file updated has several versions (landed_dossiers holds the
-- current one, landed_superseded_dossiers the ones it replaced): the one taken is the newest known on the
-- date — updated_at by the date's last second, a missing updated_at counted as known — in the landing's
-- own order (updated_at newest first, missing last; the current version before a replaced one of the same
-- time; then file and row); when every version was updated after the date, the earliest. A correction
-- landed later (another agency, an earlier due date) therefore changes no snapshot of an earlier month,
-- whenever that snapshot is built. Then, on the version taken: a dossier received after the date is left
-- out; one finished after it is still pending (no finished_at, status DANG_XU_LY), except one refused at
-- intake after it (TU_CHOI_TIEP_NHAN, whose finished_at is the refusal): on the date it was submitted and
-- not yet received (CHUA_TIEP_NHAN), which no report counts (docs/data-contracts.md §4.8), never a
-- received, pending dossier; one soft-deleted after it (deleted_at) was not deleted yet and counts as the
-- reports of that month counted it; its updated_at is at most the date's last second (a missing
-- updated_at reads as that second, as it did before these rules moved into SQL).
with cutoff as (
    select
        as_of_date,
        cast(as_of_date as timestamp) + interval '1' day - interval '1' second as as_of_end
    from snapshot_as_of
),

ledger as (
    select * from landed_superseded_dossiers
),

-- the dossiers with a replaced version: only theirs are chosen among (most have one version)
versioned_ids as (
    select distinct source, dossier_id from ledger
),

-- every current version, marked when a replaced version of its dossier exists
current_versions as (
    select
        d.dossier_id, d.procedure_code, d.agency_code, d.channel, d.received_at, d.due_at, d.finished_at,
        d.status, d.supplement_days, d.is_fee_bearing, d.is_paid_online, d.is_digitised, d.has_e_result,
        d.is_synced, d.has_complaint, d.updated_at, d.returned_at, d.supplement_requested_at,
        d.supplement_received_at, d.due_at_reset, d.result_type, d.deleted_at, d.raw_hash, d.raw_row,
        d.source, d.year, d.month,
        1 as is_current,
        exists (
            select 1 from versioned_ids as v where v.source = d.source and v.dossier_id = d.dossier_id
        ) as has_versions
    from landed_dossiers as d
),

-- the versions to choose among, in current_versions' columns
versions as (
    select * from current_versions where has_versions
    union all
    select
        l.dossier_id, l.procedure_code, l.agency_code, l.channel, l.received_at, l.due_at, l.finished_at,
        l.status, l.supplement_days, l.is_fee_bearing, l.is_paid_online, l.is_digitised, l.has_e_result,
        l.is_synced, l.has_complaint, l.updated_at, l.returned_at, l.supplement_requested_at,
        l.supplement_received_at, l.due_at_reset, l.result_type, l.deleted_at, l.raw_hash, l.raw_row,
        l.source, l.year, l.month,
        0 as is_current,
        true as has_versions
    from ledger as l
),

ranked as (
    select
        versions.*,
        row_number() over (
            partition by versions.source, versions.dossier_id
            order by
                case when versions.updated_at is null or versions.updated_at <= cutoff.as_of_end then 0 else 1 end,
                case when versions.updated_at is null or versions.updated_at <= cutoff.as_of_end then versions.updated_at end desc nulls last,
                versions.updated_at asc,
                versions.is_current desc,
                versions.raw_hash desc,
                versions.raw_row desc
        ) as version_rank
    from versions
    cross join cutoff
),

dossiers as (
    select *, 1 as version_rank from current_versions where not has_versions
    union all
    select * from ranked where version_rank = 1
)

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
        when d.updated_at is null or d.updated_at > p.as_of_end then p.as_of_end
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
from dossiers as d
cross join cutoff as p
where cast(d.received_at as date) <= p.as_of_date
