-- One row per dossier with local dates and its resolution class: days early = due date − (finish date
-- − supplement days); > 0 early, = 0 on time, < 0 late (only for finished dossiers). A portal copy of
-- an NSW dossier (stg_lake__dossiers.duplicate_of_dossier_id) is left out: the NSW row counts
-- (docs/data-contracts.md §4.6). Dossiers that were never received are left out of every count
-- (§4.8): soft-deleted in the source (deleted_at), submitted but not yet received (CHUA_TIEP_NHAN),
-- refused at intake (TU_CHOI_TIEP_NHAN). A dossier with no due date (a procedure without one) is
-- resolved on time and pending in time; processed (DA_XU_LY) counts as resolved on its processing end
-- (finished_at), whether or not the result was handed over (returned_at); paused dossiers
-- (DUNG_XU_LY, CHO_THANH_TOAN) are pending, judged against the due date like any other. `year` is the
-- year of receipt, not a report year; `receipt_month` (yyyymm) the partition an incremental run rebuilds.
with dossiers as (

    select * from stg_lake__dossiers
    where duplicate_of_dossier_id is null
        and deleted_at is null
        and status not in ('CHUA_TIEP_NHAN', 'TU_CHOI_TIEP_NHAN')

),

dated as (

    select
        dossier_id,
        source,
        procedure_code,
        agency_code,
        channel,
        status,
        received_at,
        due_at,
        finished_at,
        updated_at,
        cast(received_at as date) as received_date,
        cast(due_at as date) as due_date,
        cast(finished_at as date) as finished_date,
        supplement_days,
        is_fee_bearing,
        is_paid_online,
        is_digitised,
        has_e_result,
        is_synced,
        has_complaint,
        result_type,
        cast(returned_at as date) as returned_date,
        receipt_month
    from dossiers

),

final as (

    select
        dossier_id,
        source,
        procedure_code,
        agency_code,
        channel,
        status,
        received_at,
        due_at,
        finished_at,
        updated_at,
        received_date,
        due_date,
        finished_date,
        supplement_days,
        case
            when finished_date is not null
                then date_diff('day', finished_date, due_date) + supplement_days
        end as days_early,
        case
            when finished_date is null then null
            when due_date is null then 'on_time'
            when date_diff('day', finished_date, due_date) + supplement_days > 0 then 'early'
            when date_diff('day', finished_date, due_date) + supplement_days = 0 then 'on_time'
            else 'late'
        end as resolution_class,
        case
            when finished_date is not null
                then greatest(date_diff('day', received_date, finished_date) - supplement_days, 0)
        end as processing_days,
        source = 'nsw' as is_nsw,
        status = 'DA_RUT' as is_withdrawn,
        status = 'TU_CHOI' or coalesce(result_type = 'TRA_LAI', false) as is_refused,
        status in ('DUNG_XU_LY', 'CHO_THANH_TOAN') as is_paused,
        coalesce(result_type = 'XIN_LOI', false) as has_apology_letter,
        returned_date,
        is_fee_bearing,
        is_paid_online,
        is_digitised,
        has_e_result,
        is_synced,
        has_complaint,
        -- The year of receipt (what the readers join on) and the month of receipt as yyyymm, the
        -- partition of this incremental model (docs/architecture.md, "Incremental models"): every
        -- version of a changed dossier touches its month of receipt.
        cast(year(received_date) as integer) as year,
        receipt_month
    from dated

)

select * from final
