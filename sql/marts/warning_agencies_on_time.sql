-- Early warning ("Cảnh báo sớm"), agencies: the on-time rate of each agency in the newest month of
-- the data against its own range (lowest and highest monthly rate) over the 12 months before it.
-- is_below_range when the month's rate is under the lowest of at least 6 of those months that had
-- resolved dossiers; months with nothing resolved have no rate and count for neither side.
with months as (

    select * from agency_months

),

latest as (

    select max(year * 12 + month - 1) as month_key from months

),

current_month as (

    select m.*
    from months as m
    cross join latest as l
    where m.year * 12 + m.month - 1 = l.month_key

),

history as (

    select
        m.agency_code,
        count(*) as range_months,
        min(m.on_time_rate) as range_low,
        max(m.on_time_rate) as range_high,
        -- The mean of exact decimals: the same bytes whatever order the engine adds in (outlook_projections).
        round(cast(sum(cast(round(m.on_time_rate, 9) as decimal(38, 9))) as double) / count(*), 9) as range_mean
    from months as m
    cross join latest as l
    where m.year * 12 + m.month - 1 between l.month_key - 12 and l.month_key - 1
      and m.resolved_total > 0
      and m.on_time_rate is not null
    group by m.agency_code

),

final as (

    select
        c.agency_code,
        c.agency_name,
        c.agency_short_name,
        c.year,
        c.month,
        c.period_label,
        c.resolved_total,
        c.on_time_rate,
        h.range_low,
        h.range_high,
        h.range_mean,
        coalesce(h.range_months, 0) as range_months,
        c.on_time_rate - h.range_low as gap_to_range_low,
        coalesce(c.resolved_total > 0 and c.on_time_rate is not null and h.range_months >= 6 and c.on_time_rate < h.range_low, false) as is_below_range
    from current_month as c
    left join history as h
        on h.agency_code = c.agency_code

)

select * from final
