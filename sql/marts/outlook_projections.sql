-- Year-end projections ("Dự báo cuối năm") of the province and of every agency, as they would have
-- been made at the end of every complete month, with an 80 % interval, from the year-to-date figure
-- and the seasonality of the same unit's earlier complete years only (docs/outlook-and-warning.md):
--   counts (received in the year, resolved): projected = ytd ÷ mean share, where share_y = ytd_y(m) ÷
--     total_y of each earlier year y; the interval spreads the per-year projections ytd ÷ share_y;
--   levels (year-to-date on-time rate, 766 total): projected = value(m) + mean drift, where drift_y =
--     value_y(12) − value_y(m); the interval spreads the drifts.
-- Interval: projected ± t(0.9, n − 1) × sd × sqrt(1 + 1/n) over the n earlier years (a prediction
-- interval for one more year), NULL with fewer than 2 earlier years; counts never below the ytd,
-- rates within 0–1, the 766 total within 0–100. actual_year_end is what the year turned out to be
-- (NULL while the year runs), so the same rows are the backtest.
-- An agency is projected as the unit it is: not in a year it ends before 31/12 (it has no year end), and from
-- the years after it took over others only (a merger's unit is not its predecessor: Sở Nội vụ's years before
-- it took in Sở LĐ-TB&XH on 01/03/2025 projected half its 2025), as units formed by a merger wait for a
-- whole year of their own.
with province as (

    select * from province_months

),

agency as (

    select * from agency_months

),

scores as (

    select * from score766_agency_months

),

calendar as (

    select * from calendar_months

),

registry as (

    select agency_code, province_code, valid_to, predecessor_codes, formed_on from agencies

),

-- A month counts once the data covers it to its last day (the running month is left out).
covered as (

    select
        a.year,
        a.month,
        max(a.period_end) = max(c.month_end) as is_complete
    from agency as a
    inner join calendar as c
        on c.year = a.year
        and c.month = a.month
    group by a.year, a.month

),

monthly as (

    select
        'province' as unit_type, province_code as unit_code, province_name as unit_name, year, month,
        'received' as metric, cast(received_new as double) as num, cast(null as double) as den, cast(null as double) as level_value
    from province
    union all
    select 'province', province_code, province_name, year, month,
        'resolved', cast(resolved_total as double), cast(null as double), cast(null as double)
    from province
    union all
    select 'province', province_code, province_name, year, month,
        'on_time_rate', cast(resolved_early + resolved_on_time as double), cast(resolved_total as double), cast(null as double)
    from province
    union all
    select 'agency' as unit_type, agency_code, agency_name, year, month,
        'received', cast(received_new as double), cast(null as double), cast(null as double)
    from agency
    union all
    select 'agency', agency_code, agency_name, year, month,
        'resolved', cast(resolved_total as double), cast(null as double), cast(null as double)
    from agency
    union all
    select 'agency', agency_code, agency_name, year, month,
        'on_time_rate', cast(resolved_early + resolved_on_time as double), cast(resolved_total as double), cast(null as double)
    from agency
    union all
    select 'agency', agency_code, agency_name, year, month,
        'score766', cast(null as double), cast(null as double), coalesce(score_total_published, score_total_recomputed)
    from scores
    union all
    -- The province's 766 figure: the mean of its own agencies' monthly totals (a lake may hold two provinces).
    select 'province', p.province_code, p.province_name, s.year, s.month,
        'score766', cast(null as double), cast(null as double), round(avg(coalesce(s.score_total_published, s.score_total_recomputed)), 9)
    from scores as s
    inner join registry as r
        on r.agency_code = s.agency_code
    inner join (select distinct province_code, province_name, year from province) as p
        on p.year = s.year
        and p.province_code = r.province_code
    group by p.province_code, p.province_name, s.year, s.month

),

complete_months as (

    select m.*
    from monthly as m
    inner join covered as c
        on c.year = m.year
        and c.month = m.month
    where c.is_complete

),

-- The figure as it stood at the end of each month: running sums for counts and the on-time rate,
-- the month's own value for the 766 total.
running as (

    select
        unit_type,
        unit_code,
        unit_name,
        metric,
        year,
        month,
        case
            when metric = 'score766' then level_value
            when metric = 'on_time_rate' then
                sum(num) over (partition by unit_type, unit_code, metric, year order by month rows between unbounded preceding and current row)
                / nullif(sum(den) over (partition by unit_type, unit_code, metric, year order by month rows between unbounded preceding and current row), 0)
            else sum(num) over (partition by unit_type, unit_code, metric, year order by month rows between unbounded preceding and current row)
        end as value,
        count(*) over (partition by unit_type, unit_code, metric, year) as months_in_year,
        min(month) over (partition by unit_type, unit_code, metric, year) as first_month
    from complete_months

),

year_ends as (

    select unit_type, unit_code, metric, year, value as year_end_value
    from running
    where month = 12 and months_in_year = 12 and first_month = 1 and value is not null

),

-- Earlier years' shape at each month: share of the year-end (counts) or drift to it (levels).
shapes as (

    select
        r.unit_type,
        r.unit_code,
        r.metric,
        r.year,
        r.month,
        case when r.metric in ('received', 'resolved') then r.value / nullif(y.year_end_value, 0) end as share,
        case when r.metric in ('on_time_rate', 'score766') then y.year_end_value - r.value end as drift
    from running as r
    inner join year_ends as y
        on y.unit_type = r.unit_type
        and y.unit_code = r.unit_code
        and y.metric = r.metric
        and y.year = r.year
    where r.value is not null

),

-- Each month paired with the same month of every earlier complete year, its values as exact
-- decimals: the mean and spread below are computed from exact sums, so they do not depend on the
-- order in which a parallel engine adds the rows up (a double's sum does, in its last bits), and a
-- rerun gives the same bytes. Counts to 6 decimals, shares to 15, drifts to 9.
paired as (

    select
        r.unit_type,
        r.unit_code,
        r.unit_name,
        r.metric,
        r.year,
        r.month,
        r.value,
        s.year as shape_year,
        cast(round(s.share, 15) as decimal(38, 15)) as share,
        cast(round(case when s.share > 0 then r.value / s.share end, 6) as decimal(38, 6)) as count_estimate,
        cast(round(s.drift, 9) as decimal(38, 9)) as drift
    from running as r
    inner join shapes as s
        on s.unit_type = r.unit_type
        and s.unit_code = r.unit_code
        and s.metric = r.metric
        and s.month = r.month
        and s.year < r.year
        and (s.share > 0 or s.drift is not null)
    left join registry as a
        on r.unit_type = 'agency'
        and a.agency_code = r.unit_code
    where r.value is not null
        and not coalesce(year(a.valid_to) = r.year and not (month(a.valid_to) = 12 and day(a.valid_to) = 31), false)
        and (
            a.predecessor_codes is null
            or s.year >= year(a.formed_on) + case when month(a.formed_on) = 1 and day(a.formed_on) = 1 then 0 else 1 end
        )

),

-- Sample standard deviation = sqrt((n·Σx² − (Σx)²) ÷ (n·(n − 1))), the numerator exact.
fitted as (

    select
        unit_type,
        unit_code,
        unit_name,
        metric,
        year,
        month,
        value as value_to_date,
        count(shape_year) as years_used,
        min(shape_year) as first_year_used,
        max(shape_year) as last_year_used,
        round(cast(sum(share) as double) / nullif(count(share), 0), 9) as mean_share,
        case when count(count_estimate) >= 2 then round(sqrt(
            cast(count(count_estimate) * sum(count_estimate * count_estimate) - sum(count_estimate) * sum(count_estimate) as double)
            / (count(count_estimate) * (count(count_estimate) - 1))), 9) end as sd_count,
        round(cast(sum(drift) as double) / nullif(count(drift), 0), 9) as mean_drift,
        case when count(drift) >= 2 then round(sqrt(
            cast(count(drift) * sum(drift * drift) - sum(drift) * sum(drift) as double)
            / (count(drift) * (count(drift) - 1))), 9) end as sd_drift
    from paired
    group by unit_type, unit_code, unit_name, metric, year, month, value

),

projected as (

    select
        f.*,
        case
            when f.metric in ('received', 'resolved') then f.value_to_date / nullif(f.mean_share, 0)
            else f.value_to_date + f.mean_drift
        end as raw_projected,
        -- t quantile 0.90 for n − 1 degrees of freedom, times sqrt(1 + 1/n): one more year's spread.
        case
            when f.years_used < 2 then null
            else (case f.years_used - 1
                    when 1 then 3.078 when 2 then 1.886 when 3 then 1.638 when 4 then 1.533
                    when 5 then 1.476 when 6 then 1.440 when 7 then 1.415 when 8 then 1.397
                    when 9 then 1.383 else 1.372 end)
                * sqrt(1.0 + 1.0 / f.years_used)
                * (case when f.metric in ('received', 'resolved') then f.sd_count else f.sd_drift end)
        end as half_width
    from fitted as f

),

bounded as (

    select
        p.*,
        p.raw_projected - p.half_width as raw_low,
        p.raw_projected + p.half_width as raw_high,
        case when p.metric in ('received', 'resolved') then p.value_to_date else 0.0 end as lower_bound,
        case p.metric when 'on_time_rate' then 1.0 when 'score766' then 100.0 else 1.0e15 end as upper_bound
    from projected as p

),

clamped as (

    select
        b.*,
        case when b.raw_projected is not null then least(greatest(b.raw_projected, b.lower_bound), b.upper_bound) end as projected,
        -- (DuckDB's greatest() skips NULLs, Trino's returns NULL: no interval stays NULL on both.)
        case when b.half_width is not null then least(greatest(b.raw_low, b.lower_bound), b.upper_bound) end as projected_low,
        case when b.half_width is not null then least(greatest(b.raw_high, b.lower_bound), b.upper_bound) end as projected_high
    from bounded as b

),

final as (

    select
        b.unit_type,
        b.unit_code,
        b.unit_name,
        b.metric,
        case b.metric
            when 'received' then 'Hồ sơ tiếp nhận trong năm'
            when 'resolved' then 'Hồ sơ đã giải quyết'
            when 'on_time_rate' then 'Tỷ lệ đúng hạn'
            else 'Điểm Chỉ số 766'
        end as metric_label,
        b.year,
        b.month,
        b.value_to_date,
        b.projected,
        b.projected_low,
        b.projected_high,
        b.years_used,
        b.first_year_used,
        b.last_year_used,
        y.year_end_value as actual_year_end,
        y.year_end_value - b.projected as error,
        case
            when y.year_end_value is null or b.projected_low is null then null
            else y.year_end_value >= b.projected_low and y.year_end_value <= b.projected_high
        end as actual_in_interval
    from clamped as b
    left join year_ends as y
        on y.unit_type = b.unit_type
        and y.unit_code = b.unit_code
        and y.metric = b.metric
        and y.year = b.year
    where b.raw_projected is not null

)

select * from final
