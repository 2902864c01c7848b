with source as (

    select * from src_dossiers

),

-- The NSW is the system of record for its procedures (docs/data-contracts.md §4.6): a portal row whose
-- Mã hồ sơ is the Số hồ sơ of an NSW dossier in the lake (NSW- + that number) is the portal's copy of
-- it. Both stay landed with their own file and row; the copy names the NSW dossier it duplicates and
-- int_dossiers_classified leaves it out, so the dossier is counted once whichever file landed first.
-- Read from the source itself, not the `source` step: in an incremental run this model is computed for
-- the rebuilt months of receipt only (the engine filters `receipt_month`), and an NSW dossier received
-- in any month can be the one a copy duplicates.
nsw_ids as (

    select distinct dossier_id
    from src_dossiers
    where source = 'nsw'

),

final as (

    select
        cast(s.dossier_id as varchar) as dossier_id,
        cast(s.source as varchar) as source,
        cast(s.procedure_code as varchar) as procedure_code,
        cast(s.agency_code as varchar) as agency_code,
        cast(s.channel as integer) as channel,
        cast(s.received_at as timestamp) as received_at,
        cast(s.due_at as timestamp) as due_at,
        cast(s.finished_at as timestamp) as finished_at,
        cast(s.status as varchar) as status,
        cast(s.supplement_days as integer) as supplement_days,
        cast(s.is_fee_bearing as boolean) as is_fee_bearing,
        cast(s.is_paid_online as boolean) as is_paid_online,
        cast(s.is_digitised as boolean) as is_digitised,
        cast(s.has_e_result as boolean) as has_e_result,
        cast(s.is_synced as boolean) as is_synced,
        cast(s.has_complaint as boolean) as has_complaint,
        cast(s.updated_at as timestamp) as updated_at,
        cast(s.returned_at as timestamp) as returned_at,
        cast(s.supplement_requested_at as timestamp) as supplement_requested_at,
        cast(s.supplement_received_at as timestamp) as supplement_received_at,
        cast(s.due_at_reset as timestamp) as due_at_reset,
        cast(s.result_type as varchar) as result_type,
        cast(s.deleted_at as timestamp) as deleted_at,
        cast(s.raw_hash as varchar) as raw_hash,
        cast(s.raw_row as bigint) as raw_row,
        cast(n.dossier_id as varchar) as duplicate_of_dossier_id,
        -- the year and month of receipt (the landed partition's): a filter on either prunes the landed
        -- files by their Hive path (an incremental run states its months of receipt on both)
        cast(s.year as integer) as year,
        cast(s.month as integer) as month,
        -- the month of receipt as yyyymm (the landed partition's year and month): the partition an
        -- incremental run rebuilds (DuckDB prunes no file by this expression: the run states its months
        -- on year and month as well)
        cast(s.year as integer) * 100 + cast(s.month as integer) as receipt_month
    from source as s
    -- One equality (NULL for non-portal rows, which match nothing): a hash join. Written as
    -- `s.source = 'portal' and n.dossier_id = 'NSW-' || s.dossier_id`, DuckDB planned a nested-loop
    -- join (rows × NSW dossiers: 24–40 s of a 100 k month's transform).
    left join nsw_ids as n
        on n.dossier_id = case when s.source = 'portal' then 'NSW-' || s.dossier_id end

)

select * from final
