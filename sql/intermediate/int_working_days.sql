-- Every date 2019-01-01 – 2026-12-31 (the years vn_public_holidays covers) with whether state agencies
-- work that day: Monday–Friday, not a holiday or day off, plus the Saturdays worked in exchange.
-- working_day_no counts working days from the first date, so the working days after date a up to and
-- including date b are b.working_day_no − a.working_day_no.
with months as (

    select * from calendar_months where year between 2019 and 2026

),

holidays as (

    select * from vn_public_holidays

),

offsets as (

    select n from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15),
            (16), (17), (18), (19), (20), (21), (22), (23), (24), (25), (26), (27), (28), (29), (30)
    ) as o(n)

),

days as (

    select cast(m.month_start + o.n * interval '1' day as date) as calendar_date
    from months as m
    cross join offsets as o
    where cast(m.month_start + o.n * interval '1' day as date) <= m.month_end

),

flagged as (

    select
        d.calendar_date,
        day_of_week(d.calendar_date) as iso_weekday,
        h.kind as holiday_kind,
        h.name as holiday_name,
        case
            when h.kind = 'make_up_working_day' then true
            when h.kind is not null then false
            else day_of_week(d.calendar_date) <= 5
        end as is_working_day
    from days as d
    left join holidays as h
        on h.holiday_date = d.calendar_date

),

final as (

    select
        calendar_date,
        iso_weekday,
        holiday_kind,
        holiday_name,
        is_working_day,
        count_if(is_working_day) over (order by calendar_date rows between unbounded preceding and current row) as working_day_no
    from flagged

)

select * from final
