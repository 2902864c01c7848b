-- Every catalogue procedure in every year the data covers, held by holder(catalogue agency, year end)
-- (docs/data-contracts.md §4.1), with its online level, fee, NSW flag, statutory and original days, and
-- what its dossiers did that year (counted as procedure_years counts: withdrawn dossiers left out).
-- Procedures without a dossier that year are here too: the catalogue shares of
-- agency_procedure_years are over every procedure held, not only the ones people used.
with procedures as (

    select * from stg_lake__procedures

),

periods as (

    select * from int_periods_reported

),

agencies as (

    select * from int_agencies_chained

),

dossier_years as (

    select * from procedure_years

),

years as (

    select year, period_start, period_end from periods where period_type = 'year'

),

held as (

    select
        p.procedure_code,
        y.year,
        y.period_end,
        p.agency_code as catalogue_agency_code,
        case
            when g.agency_code is null then p.agency_code
            when g.valid_to is null or g.valid_to >= y.period_end then g.agency_code
            when g.successor_code is null then g.agency_code
            when g.successor_1_valid_to is null or g.successor_1_valid_to >= y.period_end then g.successor_code
            when g.successor_2_code is null then g.successor_code
            when g.successor_2_valid_to is null or g.successor_2_valid_to >= y.period_end then g.successor_2_code
            when g.successor_3_code is null then g.successor_2_code
            else g.successor_3_code
        end as agency_code,
        p.procedure_name,
        p.field,
        p.online_level,
        p.is_fee_bearing,
        p.is_nsw,
        p.statutory_days,
        p.original_statutory_days
    from procedures as p
    cross join years as y
    left join agencies as g on g.agency_code = p.agency_code

),

final as (

    select
        h.procedure_code,
        h.year,
        h.agency_code,
        h.catalogue_agency_code,
        h.procedure_name,
        h.field,
        h.online_level,
        h.online_level <> 'khong' as is_online,
        h.online_level = 'toan_trinh' as is_full_online,
        h.online_level = 'mot_phan' as is_partial_online,
        h.is_fee_bearing,
        h.is_nsw,
        h.statutory_days,
        h.original_statutory_days,
        1 - cast(h.statutory_days as double) / nullif(h.original_statutory_days, 0) as processing_time_cut,
        h.statutory_days < h.original_statutory_days as is_time_cut,
        coalesce(d.received_total, 0) as received_total,
        coalesce(d.received_online, 0) as received_online,
        coalesce(d.received_postal, 0) as received_postal,
        coalesce(d.resolved_total, 0) as resolved_total,
        coalesce(d.resolved_late, 0) as resolved_late,
        d.on_time_rate,
        d.avg_processing_days,
        coalesce(d.received_total, 0) + coalesce(d.resolved_total, 0) > 0 as has_dossiers,
        coalesce(d.received_postal, 0) > 0 as has_postal_dossiers
    from held as h
    left join dossier_years as d
        on d.procedure_code = h.procedure_code
        and d.year = h.year

)

select * from final
