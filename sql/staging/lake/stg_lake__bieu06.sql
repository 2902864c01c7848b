with source as (

    select * from src_bieu06

),

final as (

    select
        cast(source as varchar) as source,
        cast(period_type as varchar) as period_type,
        cast(year as integer) as year,
        cast(period_no as integer) as period_no,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(band as varchar) as band,
        cast(line_no as integer) as line_no,
        cast(unit_name as varchar) as unit_name,
        cast(agency_code as varchar) as agency_code,
        cast(received_total as bigint) as received_total,
        cast(received_online as bigint) as received_online,
        cast(received_offline as bigint) as received_offline,
        cast(received_carried_over as bigint) as received_carried_over,
        cast(resolved_total as bigint) as resolved_total,
        cast(resolved_early as bigint) as resolved_early,
        cast(resolved_on_time as bigint) as resolved_on_time,
        cast(resolved_late as bigint) as resolved_late,
        cast(pending_total as bigint) as pending_total,
        cast(pending_in_time as bigint) as pending_in_time,
        cast(pending_overdue as bigint) as pending_overdue
    from source

)

select * from final
