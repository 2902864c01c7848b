with counted as (

    select * from int_agency_periods_counted

),

agencies as (

    select * from int_agencies_chained

),

periods as (

    select * from int_periods_enumerated

),

joined as (

    select
        c.*,
        a.agency_name,
        a.short_name as agency_short_name,
        a.province_code,
        a.absorbed_on,
        a.ended_on,
        p.period_label
    from counted as c
    left join agencies as a on a.agency_code = c.agency_code
    inner join periods as p
        on p.period_type = c.period_type
        and p.year = c.year
        and p.period_no = c.period_no

),

final as (

    select
        agency_code,
        agency_name,
        agency_short_name,
        province_code,
        period_type,
        year,
        period_no,
        period_start,
        period_end,
        period_label,
        received_total,
        received_online,
        received_in_person,
        received_postal,
        received_offline,
        received_nsw,
        received_portal_online,
        received_new,
        received_carried_over,
        resolved_total,
        resolved_early,
        resolved_on_time,
        resolved_late,
        resolved_withdrawn,
        resolved_refused,
        pending_total,
        pending_in_time,
        pending_overdue,
        cast(resolved_early + resolved_on_time as double) / nullif(resolved_total, 0) as on_time_rate,
        avg_days_early,
        avg_processing_days,
        cast(received_online as double) / nullif(received_new, 0) as online_rate,
        fee_bearing_count,
        paid_online_count,
        cast(paid_online_count as double) / nullif(fee_bearing_count, 0) as online_payment_rate,
        digitised_count,
        cast(digitised_count as double) / nullif(received_new, 0) as digitised_rate,
        e_result_count,
        cast(e_result_count as double) / nullif(resolved_total, 0) as e_result_rate,
        synced_count,
        cast(synced_count as double) / nullif(received_new, 0) as synced_rate,
        complaints,
        coalesce(absorbed_on between period_start and period_end, false)
            or coalesce(ended_on between period_start and cast(period_end + interval '1' day as date), false)
            as has_series_break
    from joined

)

select * from final
