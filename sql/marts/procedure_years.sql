-- Per procedure and year, counted as Biểu 06 counts (docs/data-contracts.md §4.2): withdrawn (DA_RUT)
-- dossiers are left out of received, resolved and the on-time rate, and only reported in
-- resolved_withdrawn (finished in the year). Every catalogue procedure of every year, with or without
-- dossiers, is in procedure_catalogue.
with dossiers as (

    select * from int_dossiers_classified

),

procedures as (

    select * from stg_lake__procedures

),

received as (

    select
        procedure_code,
        cast(year(received_date) as integer) as year,
        count(*) as received_total,
        count_if(channel = 2) as received_online,
        count_if(channel <> 2) as received_offline,
        count_if(channel = 3) as received_postal
    from dossiers
    where not is_withdrawn
    group by procedure_code, year(received_date)

),

resolved as (

    select
        procedure_code,
        cast(year(finished_date) as integer) as year,
        count_if(not is_withdrawn) as resolved_total,
        count_if(not is_withdrawn and resolution_class = 'early') as resolved_early,
        count_if(not is_withdrawn and resolution_class = 'on_time') as resolved_on_time,
        count_if(not is_withdrawn and resolution_class = 'late') as resolved_late,
        count_if(is_withdrawn) as resolved_withdrawn,
        avg(case when not is_withdrawn then cast(processing_days as double) end) as avg_processing_days
    from dossiers
    where finished_date is not null
    group by procedure_code, year(finished_date)

),

keys as (

    select procedure_code, year from received
    union
    select procedure_code, year from resolved

),

final as (

    select
        k.procedure_code,
        k.year,
        p.procedure_name,
        p.field,
        p.agency_code,
        p.online_level,
        p.is_fee_bearing,
        p.is_nsw,
        p.statutory_days,
        p.original_statutory_days,
        1 - cast(p.statutory_days as double) / nullif(p.original_statutory_days, 0) as processing_time_cut,
        coalesce(r.received_total, 0) as received_total,
        coalesce(r.received_online, 0) as received_online,
        coalesce(r.received_offline, 0) as received_offline,
        coalesce(r.received_postal, 0) as received_postal,
        coalesce(s.resolved_total, 0) as resolved_total,
        coalesce(s.resolved_early, 0) as resolved_early,
        coalesce(s.resolved_on_time, 0) as resolved_on_time,
        coalesce(s.resolved_late, 0) as resolved_late,
        coalesce(s.resolved_withdrawn, 0) as resolved_withdrawn,
        cast(s.resolved_early + s.resolved_on_time as double) / nullif(s.resolved_total, 0) as on_time_rate,
        cast(r.received_online as double) / nullif(r.received_total, 0) as online_rate,
        s.avg_processing_days
    from keys as k
    left join received as r on r.procedure_code = k.procedure_code and r.year = k.year
    left join resolved as s on s.procedure_code = k.procedure_code and s.year = k.year
    left join procedures as p on p.procedure_code = k.procedure_code

)

select * from final
