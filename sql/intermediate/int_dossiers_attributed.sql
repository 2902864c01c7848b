-- One row per dossier and report period it belongs to (received by the period end and not finished
-- before its start), with the reporting agency of that period, holder(agency_code, period end): a unit
-- whose valid_to is before the period end reports under its successor, followed along the chain
-- (docs/data-contracts.md §4.1). Withdrawn (DA_RUT) dossiers stay here with is_counted = false: the
-- Biểu 06 and 766 counts leave them out entirely (§4.2).
with dossiers as (

    select * from int_dossiers_classified

),

carried_over as (

    select * from int_dossiers_carried_over

),

periods as (

    select * from int_periods_reported

),

agencies as (

    select * from int_agencies_chained

),

-- A dossier counts in a period when it was received by the period end and not finished before its
-- start. Every period of report year Y starts in Y, so the dossiers of Y are those received in Y (the
-- partition year = Y of int_dossiers_classified, joined on the year so that a run of some report
-- years reads those years of receipt only) and those of an earlier year of receipt still open at the
-- end of it (int_dossiers_carried_over, a small table): a dossier received earlier and finished
-- within its year of receipt finished before 1 January Y. The two parts are disjoint.
received_in_year as (

    -- d.* keeps the dossier's own `year` (of receipt); the period's is report_year until final.
    select d.*, p.period_type, p.year as report_year, p.period_no, p.period_start, p.period_end
    from dossiers as d
    inner join periods as p
        on d.year = p.year
        and d.received_date <= p.period_end
        and (d.finished_date is null or d.finished_date >= p.period_start)

),

carried_into_year as (

    -- The same columns: int_dossiers_carried_over is int_dossiers_classified's rows.
    select d.*, p.period_type, p.year as report_year, p.period_no, p.period_start, p.period_end
    from carried_over as d
    inner join periods as p
        on d.year < p.year
        and (d.finished_date is null or d.finished_date >= p.period_start)

),

active as (

    select * from received_in_year
    union all
    select * from carried_into_year

),

attributed as (

    select
        a.*,
        case
            when g.agency_code is null then a.agency_code
            when g.valid_to is null or g.valid_to >= a.period_end then g.agency_code
            when g.successor_code is null then g.agency_code
            when g.successor_1_valid_to is null or g.successor_1_valid_to >= a.period_end then g.successor_code
            when g.successor_2_code is null then g.successor_code
            when g.successor_2_valid_to is null or g.successor_2_valid_to >= a.period_end then g.successor_2_code
            when g.successor_3_code is null then g.successor_2_code
            else g.successor_3_code
        end as reporting_agency_code
    from active as a
    left join agencies as g on g.agency_code = a.agency_code

),

final as (

    select
        dossier_id,
        period_type,
        report_year as year,
        period_no,
        period_start,
        period_end,
        reporting_agency_code,
        agency_code,
        procedure_code,
        source,
        channel,
        status,
        received_date,
        due_date,
        finished_date,
        resolution_class,
        days_early,
        processing_days,
        status <> 'DA_RUT' as is_counted,
        received_date < period_start as is_carried_over,
        received_date >= period_start as is_received,
        finished_date is not null and finished_date <= period_end as is_resolved,
        finished_date is null or finished_date > period_end as is_pending,
        -- Overdue when the period end, less the supplement wait, is past the due date: the same
        -- comparison as a resolution (finish date − supplement days vs due date), so a dossier that
        -- later finishes on time is never counted overdue while it is pending (§4.2).
        -- A dossier without a due date is never overdue (§4.8).
        (finished_date is null or finished_date > period_end)
            and due_date is not null
            and date_diff('day', due_date, period_end) > supplement_days as is_pending_overdue,
        is_nsw,
        is_withdrawn,
        is_refused,
        is_fee_bearing,
        is_paid_online,
        is_digitised,
        has_e_result,
        is_synced,
        has_complaint
    from attributed

)

select * from final
