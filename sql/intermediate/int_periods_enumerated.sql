with calendar as (

    select * from calendar_months

),

months as (

    select
        'month' as period_type,
        year,
        month as period_no,
        month_start as period_start,
        month_end as period_end,
        'Tháng ' || cast(month as varchar) || '/' || cast(year as varchar) as period_label
    from calendar

),

quarters as (

    select
        'quarter' as period_type,
        year,
        quarter as period_no,
        min(month_start) as period_start,
        max(month_end) as period_end,
        'Quý ' || cast(quarter as varchar) || '/' || cast(year as varchar) as period_label
    from calendar
    group by year, quarter

),

halves as (

    select
        'half' as period_type,
        year,
        case when month <= 6 then 1 else 2 end as period_no,
        min(month_start) as period_start,
        max(month_end) as period_end,
        case when month <= 6 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end || cast(year as varchar) as period_label
    from calendar
    group by year, case when month <= 6 then 1 else 2 end, case when month <= 6 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end

),

years as (

    select
        'year' as period_type,
        year,
        1 as period_no,
        min(month_start) as period_start,
        max(month_end) as period_end,
        'Năm ' || cast(year as varchar) as period_label
    from calendar
    group by year

),

final as (

    select period_type, cast(year as integer) as year, cast(period_no as integer) as period_no, period_start, period_end, period_label from months
    union all
    select period_type, cast(year as integer) as year, cast(period_no as integer) as period_no, period_start, period_end, period_label from quarters
    union all
    select period_type, cast(year as integer) as year, cast(period_no as integer) as period_no, period_start, period_end, period_label from halves
    union all
    select period_type, cast(year as integer) as year, cast(period_no as integer) as period_no, period_start, period_end, period_label from years

)

select * from final
