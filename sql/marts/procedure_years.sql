-- Per procedure and year, counted as Biểu 06 counts (docs/data-contracts.md §4.2): withdrawn (DA_RUT)
-- dossiers are left out of received, resolved and the on-time rate, and only reported in
-- resolved_withdrawn (finished in the year). Every catalogue procedure of every year, with or without
-- dossiers, is in procedure_catalogue.
with dossiers as (

    select * from int_dossiers_classified

),

carried_over as (

    select * from int_dossiers_carried_over

),

procedures as (

    select * from stg_lake__procedures

),

-- One row per count a dossier gives: its receipt, in its year of receipt (withdrawn receipts are not
-- counted), and its finish, in its year of finish. A year Y's finishes are those of the dossiers
-- received in Y and finished in it (the partition of Y) and those of earlier receipts
-- (int_dossiers_carried_over: every dossier not finished in its year of receipt). One aggregate over
-- these rows, grouped by the year, lets a run's filter on some years reach the partitions of
-- int_dossiers_classified (`year` there is the year of receipt) and the small table only.
events as (

    select procedure_code, year, true as is_receipt, channel, is_withdrawn, resolution_class, processing_days
    from dossiers
    where not is_withdrawn

    union all

    select procedure_code, year, false as is_receipt, channel, is_withdrawn, resolution_class, processing_days
    from dossiers
    where finished_date is not null
        and year(finished_date) = year

    union all

    select
        procedure_code,
        cast(year(finished_date) as integer) as year,
        false as is_receipt,
        channel,
        is_withdrawn,
        resolution_class,
        processing_days
    from carried_over
    where finished_date is not null

),

counted as (

    select
        procedure_code,
        year,
        count_if(is_receipt) as received_total,
        count_if(is_receipt and channel = 2) as received_online,
        count_if(is_receipt and channel <> 2) as received_offline,
        count_if(is_receipt and channel = 3) as received_postal,
        count_if(not is_receipt and not is_withdrawn) as resolved_total,
        count_if(not is_receipt and not is_withdrawn and resolution_class = 'early') as resolved_early,
        count_if(not is_receipt and not is_withdrawn and resolution_class = 'on_time') as resolved_on_time,
        count_if(not is_receipt and not is_withdrawn and resolution_class = 'late') as resolved_late,
        count_if(not is_receipt and is_withdrawn) as resolved_withdrawn,
        avg(case when not is_receipt and not is_withdrawn then cast(processing_days as double) end) as avg_processing_days
    from events
    group by procedure_code, year

),

final as (

    select
        c.procedure_code,
        c.year,
        p.procedure_name,
        p.field,
        p.agency_code,
        p.online_level,
        p.is_fee_bearing,
        p.is_nsw,
        p.statutory_days,
        p.original_statutory_days,
        1 - cast(p.statutory_days as double) / nullif(p.original_statutory_days, 0) as processing_time_cut,
        c.received_total,
        c.received_online,
        c.received_offline,
        c.received_postal,
        c.resolved_total,
        c.resolved_early,
        c.resolved_on_time,
        c.resolved_late,
        c.resolved_withdrawn,
        cast(c.resolved_early + c.resolved_on_time as double) / nullif(c.resolved_total, 0) as on_time_rate,
        cast(c.received_online as double) / nullif(c.received_total, 0) as online_rate,
        c.avg_processing_days
    from counted as c
    left join procedures as p on p.procedure_code = c.procedure_code

)

select * from final
