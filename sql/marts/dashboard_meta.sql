-- What the dashboards need to know about the data before any page opens (one row): the province,
-- how recent the data is, the default year / PAR year / 766 month of the pages, the last day the
-- holiday calendar's notices cover and whether the early warning counts past it (provisionally), and
-- the real 766 captures (the province captured unit by unit, the national comparison). Read by
-- functions/dashboards/build.ts into components/data-meta.json and the `meta` source.
with province as (

    select
        max_by(province_code, year) as province_code,
        max_by(province_name, year) as province_name,
        -- The newest year in which dossiers were received: a year holding only dossiers carried over
        -- from the one before (January of the year after the data ends) is shown, but not first.
        coalesce(max(case when received_new > 0 then year end), max(year)) as default_year
    from province_years

),

freshness as (

    select
        (select cast(max(dataset_last_landed_at) as date) from data_quality) as last_landed_on

),

-- The newest year whose official holiday notice vn_public_holidays holds, to its last day (the page
-- says how far the notices go).
holiday_notices as (

    select cast(cast(max(year(holiday_date)) as varchar) || '-12-31' as date) as holidays_known_through
    from vn_public_holidays

),

-- The early warning's as-of date (warning_dossiers_due's: the newest day any dossier shows), known
-- even when no dossier is listed.
warning_window as (

    select max(last_known_date) as warning_as_of
    from int_dossier_receipt_years

),

-- Whether the warning's window — its as-of date and the 31 days after it, which hold any 10 working
-- days, a Tết break and four weekends included — reaches a provisional day of int_working_days (a year
-- without its notice) or a day past the calendar. No as-of date (no dossier): nothing is counted.
warning_calendar as (

    select
        w.warning_as_of is not null
        and (coalesce(bool_or(d.is_provisional), false) or count(d.calendar_date) < 32) as warning_provisional
    from warning_window as w
    left join int_working_days as d
        on d.calendar_date between w.warning_as_of and cast(w.warning_as_of + interval '31' day as date)
    group by w.warning_as_of

),

real_units as (

    select province_code, unit_group, unit_short_name, unit_code, as_of, rank, group_rank
    from score766_units
    where dataset_label = 'real'

),

-- The provinces of the newest national capture only: a capture before 01/7/2025 ranked 63 provinces, one after
-- it 34, and the national page shows the newest one.
national as (

    select
        count(distinct province_code) as real_provinces,
        max(as_of) as real_national_as_of
    from real_units
    where unit_group = 'PROVINCE'
        and as_of = (select max(as_of) from real_units where unit_group = 'PROVINCE')

),

-- The province captured unit by unit: the one with the most unit rows.
captured_ranked as (

    select
        province_code,
        max(as_of) as newest,
        row_number() over (order by count(*) desc, province_code) as pick
    from real_units
    where unit_group <> 'PROVINCE'
    group by province_code

),

captured as (

    select province_code, newest from captured_ranked where pick = 1

),

capture_dates as (

    select array_join(array_agg(capture_day order by capture_day), ',') as real_capture_dates
    from (
        select distinct cast(u.as_of as varchar) as capture_day
        from real_units as u
        join captured as c on u.province_code = c.province_code
        where u.unit_group <> 'PROVINCE'
    ) as days

),

captured_name as (

    select
        min(
            case
                when u.unit_short_name like 'UBND %' then ltrim(substr(u.unit_short_name, 6))
                else u.unit_short_name
            end
        ) as real_province_name
    from real_units as u
    join captured as c on u.province_code = c.province_code
    where u.unit_group = 'PROVINCE'

),

-- The captured province's first unit at its newest capture (group rank, then rank, then code).
top_unit as (

    select unit_code as real_top_unit_code
    from (
        select
            u.unit_code,
            row_number() over (order by u.group_rank nulls last, u.rank, u.unit_code) as pick
        from real_units as u
        join captured as c on u.province_code = c.province_code and u.as_of = c.newest
        where u.unit_group <> 'PROVINCE'
    ) as ranked
    where pick = 1

)

select
    p.province_code,
    p.province_name,
    (select ww.warning_as_of from warning_window as ww) as data_last_date,
    f.last_landed_on,
    p.default_year,
    (select max(py.year) from procedure_years as py where py.year <= p.default_year) as default_procedure_year,
    (select max(par.year) from par_agency_years as par) as default_par_year,
    (select max(s.year * 100 + s.month) from score766_agency_months as s where s.has_published) as default_period766,
    (select hn.holidays_known_through from holiday_notices as hn) as holidays_known_through,
    (select ww.warning_as_of from warning_window as ww) as warning_as_of,
    (select wc.warning_provisional from warning_calendar as wc) as warning_provisional,
    n.real_provinces,
    n.real_national_as_of,
    (select c.province_code from captured as c) as real_province_code,
    (select cn.real_province_name from captured_name as cn) as real_province_name,
    (select cd.real_capture_dates from capture_dates as cd) as real_capture_dates,
    (select t.real_top_unit_code from top_unit as t) as real_top_unit_code
from province as p
cross join freshness as f
cross join national as n
