-- Report periods the data covers, each ending no later than the data's last known date: the
-- period that is still running (or the one a snapshot freezes) is reported year-to-date, so its
-- pending dossiers are "in time" or "overdue" as of that date, not as of a day nobody has seen yet.
with periods as (

    select * from int_periods_enumerated

),

receipt_years as (

    -- One row per year of receipt (its first, last and last known day), not every dossier.
    select * from int_dossier_receipt_years

),

data_window as (

    select
        min(first_received_date) as first_date,
        max(last_known_date) as last_date,
        max(last_received_date) as last_received_date
    from receipt_years

),

final as (

    select
        p.period_type,
        p.year,
        p.period_no,
        p.period_start,
        least(p.period_end, w.last_date) as period_end,
        p.period_end < w.last_date or p.period_end = w.last_date as is_complete,
        p.period_label
    from periods as p
    cross join data_window as w
    where p.period_end >= w.first_date
      and p.period_start <= w.last_date
      -- A year (or quarter, month) in which nothing was received yet is not reported: finishes
      -- recorded in the days an export is taken do not open a new year of their own.
      and p.year <= year(w.last_received_date)

)

select * from final
