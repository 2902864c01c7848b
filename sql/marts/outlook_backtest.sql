-- The backtest of outlook_projections: for each unit type, metric and month of the year, how far the
-- projections made at the end of that month were from what the year turned out to be, over every
-- past year that has both a projection and its outcome. Mean absolute error in the metric's unit
-- (dossiers, rate fraction points, 766 points), mean absolute percentage error, and how often the
-- 80 % interval held the outcome (it should be about 0,8).
with projections as (

    select * from outlook_projections

),

final as (

    select
        unit_type,
        metric,
        min(metric_label) as metric_label,
        month,
        count(*) as projections,
        count(distinct year) as years,
        min(year) as first_year,
        max(year) as last_year,
        -- Means of exact decimals (as in outlook_projections): the same bytes whatever order the engine adds in.
        round(cast(sum(cast(round(abs(error), 9) as decimal(38, 9))) as double) / nullif(count(error), 0), 9) as mean_abs_error,
        round(cast(sum(cast(round(abs(error) / nullif(abs(actual_year_end), 0), 9) as decimal(38, 9))) as double)
            / nullif(count(abs(error) / nullif(abs(actual_year_end), 0)), 0), 9) as mean_abs_pct_error,
        round(avg(case when actual_in_interval then 1.0 when actual_in_interval is not null then 0.0 end), 9) as interval_coverage
    from projections
    where actual_year_end is not null
    group by unit_type, metric, month

)

select * from final
