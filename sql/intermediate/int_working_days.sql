-- Every date of the calendar (calendar_months, 2015–2035) with whether state agencies work that day:
-- Monday–Friday, not a holiday or day off, plus the Saturdays worked in exchange. working_day_no counts
-- working days from the first date, so the working days after date a up to and including date b are
-- b.working_day_no − a.working_day_no.
-- A year vn_public_holidays lists (its official notice was entered) takes its days off from the seed.
-- A year it does not list is provisional (is_provisional): the Labour Code's fixed-date holidays only
-- (1/1, 30/4, 1/5, 2/9) and, for one on a Saturday or Sunday, its compensatory day off on the next
-- working day; Tết, Giỗ Tổ, Quốc khánh's adjacent day and the swaps are set by each year's notice and
-- are not known before it (docs/outlook-and-warning.md, "A year without its notice").
with months as (

    select * from calendar_months

),

holidays as (

    select * from vn_public_holidays

),

-- The years whose notice the seed holds: any year with a row.
announced_years as (

    select distinct year(holiday_date) as year
    from holidays

),

offsets as (

    select n from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15),
            (16), (17), (18), (19), (20), (21), (22), (23), (24), (25), (26), (27), (28), (29), (30)
    ) as o(n)

),

days as (

    select
        cast(m.month_start + o.n * interval '1' day as date) as calendar_date,
        m.year,
        m.year not in (select year from announced_years) as is_provisional
    from months as m
    cross join offsets as o
    where cast(m.month_start + o.n * interval '1' day as date) <= m.month_end

),

-- The public holidays of the Labour Code on fixed solar dates (Bộ luật Lao động 2019, Điều 112; the
-- same days in the 2012 Code's Điều 115), in every year without a notice.
statutory_dates as (

    select month_no, day_no, name from (
        values
            (1, 1, 'Tết Dương lịch'),
            (4, 30, 'Ngày Chiến thắng'),
            (5, 1, 'Ngày Quốc tế Lao động'),
            (9, 2, 'Quốc khánh')
    ) as s(month_no, day_no, name)

),

statutory as (

    select
        cast(m.month_start + (s.day_no - 1) * interval '1' day as date) as holiday_date,
        s.name
    from months as m
    inner join statutory_dates as s
        on s.month_no = m.month
    where m.year not in (select year from announced_years)

),

-- A holiday on a Saturday or Sunday gives a day off on the next working day (Điều 111 khoản 3): the
-- Monday after it, a day later when that Monday is itself a holiday (30/4 on a Sunday, 1/5 on the
-- Monday) or already taken by the holiday the day before (30/4 on a Saturday, 1/5 on the Sunday).
on_weekend as (

    select
        h.holiday_date,
        h.name,
        cast(h.holiday_date + (8 - day_of_week(h.holiday_date)) * interval '1' day as date) as next_monday
    from statutory as h
    where day_of_week(h.holiday_date) >= 6

),

compensatory as (

    select
        cast(
            w.next_monday
            + (
                (select count(*) from on_weekend as b where b.holiday_date = cast(w.holiday_date - interval '1' day as date))
                + (select count(*) from statutory as m where m.holiday_date = w.next_monday)
            ) * interval '1' day
            as date
        ) as holiday_date,
        'Nghỉ bù ' || w.name as name
    from on_weekend as w

),

provisional_days_off as (

    select holiday_date, 'holiday' as kind, name from statutory
    union all
    select holiday_date, 'compensatory_day_off' as kind, name from compensatory

),

days_off as (

    select holiday_date, kind, name from holidays
    union all
    select holiday_date, kind, name from provisional_days_off

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
        end as is_working_day,
        d.is_provisional
    from days as d
    left join days_off as h
        on h.holiday_date = d.calendar_date

),

final as (

    select
        calendar_date,
        iso_weekday,
        holiday_kind,
        holiday_name,
        is_working_day,
        is_provisional,
        count_if(is_working_day) over (order by calendar_date rows between unbounded preceding and current row) as working_day_no
    from flagged

)

select * from final
