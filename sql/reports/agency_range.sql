-- Biểu 06 columns c3–c13 for any date range [$range_start, $range_end] (inclusive local dates, e.g.
-- 01/01–30/9, or 15/12–14/12), per reporting agency, under the period rules of
-- docs/data-contracts.md §4.2 and the merger attribution of §4.1: the same reading as
-- int_dossiers_attributed and int_agency_periods_counted, with the range in place of a calendar
-- period (test/sql/range.test.ts checks that every calendar period of agency_periods comes out
-- the same). $agency_code = '' lists every unit valid on the range end. Parameters are bound by the
-- engine (functions/core/transform/range.ts); this is a query over the persisted models, not a model.
-- The range ends no later than the data's last known date (int_dossier_receipt_years, the cap
-- int_periods_reported puts on the running period): pending dossiers are in time or overdue as of that
-- date, not as of a day nobody has seen yet, so a range equal to a running period gives that period's
-- agency_periods row. period_end is that effective end; requested_end is the end asked for and
-- data_last_date the cap (range.ts refuses a range that starts after it).
with dossiers as (

    select * from int_dossiers_classified

),

agencies as (

    select * from int_agencies_chained

),

data_window as (

    select max(last_known_date) as last_date
    from int_dossier_receipt_years

),

requested as (

    select
        cast($range_start as date) as range_start,
        cast($range_end as date) as range_end,
        $agency_code as agency_filter

),

bounds as (

    select
        r.range_start as period_start,
        -- CASE, not least(): Trino's least() is NULL when the data window is (no dossiers), DuckDB's is not.
        case when w.last_date < r.range_end then w.last_date else r.range_end end as period_end,
        r.range_end as requested_end,
        w.last_date as data_last_date,
        r.agency_filter
    from requested as r
    cross join data_window as w

),

active as (

    select
        d.*,
        b.period_start,
        b.period_end
    from dossiers as d
    cross join bounds as b
    where d.status <> 'DA_RUT'
      and d.received_date <= b.period_end
      and (d.finished_date is null or d.finished_date >= b.period_start)

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

counted as (

    select
        reporting_agency_code as agency_code,
        count_if(received_date >= period_start and channel = 2) as received_online,
        count_if(received_date >= period_start and channel <> 2) as received_offline,
        count_if(received_date < period_start) as received_carried_over,
        count_if(finished_date <= period_end) as resolved_total,
        count_if(finished_date <= period_end and resolution_class = 'early') as resolved_early,
        count_if(finished_date <= period_end and resolution_class = 'on_time') as resolved_on_time,
        count_if(finished_date <= period_end and resolution_class = 'late') as resolved_late,
        count_if(finished_date is null or finished_date > period_end) as pending_total,
        count_if((finished_date is null or finished_date > period_end)
            and date_diff('day', due_date, period_end) > supplement_days) as pending_overdue
    from attributed
    group by reporting_agency_code

),

scaffold as (

    select a.agency_code
    from agencies as a
    cross join bounds as b
    where a.kind <> 'ubnd_tinh'
      and a.valid_from <= b.period_end
      and (a.valid_to is null or a.valid_to >= b.period_end)

),

final as (

    select
        coalesce(c.agency_code, s.agency_code) as agency_code,
        g.agency_name,
        b.period_start,
        b.period_end,
        b.requested_end,
        b.data_last_date,
        coalesce(c.received_online, 0) + coalesce(c.received_offline, 0) + coalesce(c.received_carried_over, 0) as received_total,
        coalesce(c.received_online, 0) as received_online,
        coalesce(c.received_offline, 0) as received_offline,
        coalesce(c.received_carried_over, 0) as received_carried_over,
        coalesce(c.resolved_total, 0) as resolved_total,
        coalesce(c.resolved_early, 0) as resolved_early,
        coalesce(c.resolved_on_time, 0) as resolved_on_time,
        coalesce(c.resolved_late, 0) as resolved_late,
        coalesce(c.pending_total, 0) as pending_total,
        coalesce(c.pending_total, 0) - coalesce(c.pending_overdue, 0) as pending_in_time,
        coalesce(c.pending_overdue, 0) as pending_overdue
    from counted as c
    full outer join scaffold as s on s.agency_code = c.agency_code
    cross join bounds as b
    left join agencies as g on g.agency_code = coalesce(c.agency_code, s.agency_code)
    where b.agency_filter = '' or coalesce(c.agency_code, s.agency_code) = b.agency_filter

)

select * from final
order by agency_code
