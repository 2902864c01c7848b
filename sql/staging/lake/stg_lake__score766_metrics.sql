with source as (

    select * from src_score766_metrics

),

final as (

    select
        cast(dataset_label as varchar) as dataset_label,
        cast(period_type as varchar) as period_type,
        cast(year as integer) as year,
        cast(period_no as integer) as period_no,
        cast(as_of as date) as as_of,
        cast(unit_id as varchar) as unit_id,
        cast(unit_code as varchar) as unit_code,
        cast(group_code as varchar) as group_code,
        cast(metric_code as varchar) as metric_code,
        cast(metric_name as varchar) as metric_name,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(ratio_pct as double) as ratio_pct,
        cast(score as double) as score,
        cast(max_score as double) as max_score
    from source

)

select * from final
