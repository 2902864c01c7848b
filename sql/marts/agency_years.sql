-- The year rows of int_agency_periods_compared, in this mart's columns (month is period_no: 1).
with compared as (

    select * from int_agency_periods_compared

),

final as (

    select
        agency_code, agency_name, agency_short_name, province_code,
        year, period_no as month, period_start, period_end, period_label,
        received_total, received_online, received_in_person, received_postal, received_offline,
        received_nsw, received_portal_online, received_new, received_carried_over,
        resolved_total, resolved_early, resolved_on_time, resolved_late, resolved_withdrawn, resolved_refused,
        pending_total, pending_in_time, pending_overdue,
        on_time_rate, avg_days_early, avg_processing_days, online_rate,
        online_payment_rate, digitised_rate, e_result_rate, synced_rate, complaints, has_series_break,
        prev_received_total, received_total_change, received_new_change, resolved_total_change,
        prev_on_time_rate, on_time_rate_change, online_rate_change, is_change_comparable
    from compared
    where period_type = 'year'

)

select * from final
