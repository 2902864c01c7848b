-- Early warning ("Cảnh báo sớm"), dossiers: every dossier still pending on the data's as-of date (the
-- newest date the latest pull shows) whose deadline is that day or one of the next 10 working days
-- (int_working_days: weekends and the official days off excluded, make-up Saturdays counted). The
-- deadline is the one Biểu 06 judges a pending dossier by (c12/c13, int_dossiers_attributed's
-- is_pending_overdue: overdue when date_diff('day', due date, date) > supplement_days): the original due
-- date (due_at, the lake's, never due_at_reset) plus the days spent waiting for the applicant's
-- supplements, in calendar days. That is `due_date` here (the original is `original_due_date`), so a
-- dossier listed here is one Biểu 06 counts pending in time on the as-of date, and one it counts overdue
-- is never listed. A dossier without a due date is never overdue and never listed. The dashboards
-- show those within N working days (config warningWorkingDays, default 3, at most 10).
-- A count that reaches a year whose holiday notice is not in vn_public_holidays yet is provisional
-- (is_provisional: that year's Tết and swaps are not known), and the dossier is listed all the same.
-- Dossiers of a unit that has since merged are listed under the unit that holds them now.
with dossiers as (

    -- Every pending dossier is open at the end of its year of receipt: this table holds them all.
    select * from int_dossiers_carried_over

),

receipt_years as (

    select * from int_dossier_receipt_years

),

registry as (

    select * from agencies

),

procedures as (

    select * from stg_lake__procedures

),

working_days as (

    select * from int_working_days

),

data_window as (

    -- The newest day any dossier shows, of every year of receipt (int_periods_reported's last date).
    select max(last_known_date) as as_of_date
    from receipt_years

),

open_dossiers as (

    -- The deadline: the original due date plus the supplement wait (calendar days); a null due date
    -- (no deadline) yields none.
    select d.*, w.as_of_date, cast(d.due_date + d.supplement_days * interval '1' day as date) as effective_due_date
    from dossiers as d
    cross join data_window as w
    where d.finished_date is null
      and d.status <> 'DA_RUT'

),

pending as (

    -- On or after the as-of date is exactly "not overdue" in Biểu 06's terms,
    -- date_diff('day', due_date, as_of_date) <= supplement_days; no deadline is never listed.
    select * from open_dossiers
    where effective_due_date >= as_of_date

),

final as (

    select
        p.as_of_date,
        p.dossier_id,
        p.source,
        coalesce(h.agency_code, p.agency_code) as agency_code,
        coalesce(h.agency_name, p.agency_code) as agency_name,
        coalesce(h.short_name, h.agency_name, p.agency_code) as agency_short_name,
        p.agency_code as receiving_agency_code,
        p.procedure_code,
        coalesce(pr.procedure_name, p.procedure_code) as procedure_name,
        p.status,
        p.received_date,
        p.due_at,
        p.due_date as original_due_date,
        p.supplement_days,
        p.effective_due_date as due_date,
        date_diff('day', p.as_of_date, p.effective_due_date) as calendar_days_left,
        due.working_day_no - today.working_day_no as working_days_left,
        today.is_provisional or due.is_provisional as is_provisional
    from pending as p
    inner join working_days as today
        on today.calendar_date = p.as_of_date
    -- A deadline past the calendar seed (2035) has no row and is left out: more than 10 working days
    -- away, unless the as-of date is in the seed's last weeks (dashboard_meta's warning_provisional).
    inner join working_days as due
        on due.calendar_date = p.effective_due_date
    left join registry as a
        on a.agency_code = p.agency_code
    left join registry as h
        on h.agency_code = coalesce(a.final_successor_code, p.agency_code)
    left join procedures as pr
        on pr.procedure_code = p.procedure_code
    where due.working_day_no - today.working_day_no <= 10

)

select * from final
