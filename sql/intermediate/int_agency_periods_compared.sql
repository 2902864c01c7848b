-- Every period of agency_periods with the previous period of the same type and agency joined, by a
-- period ordinal: months year × 12 + month, quarters year × 4 + quarter, halves year × 2 + half,
-- years the year (period_no is 1). A January compares with the December before it; a unit with no
-- row in the previous period (formed since, or no earlier data) has NULL changes and is not comparable.
with periods as (

    select * from agency_periods

),

ordered as (

    select
        *,
        year * case period_type when 'month' then 12 when 'quarter' then 4 when 'half' then 2 when 'year' then 1 end
        + period_no as period_ordinal
    from periods

),

final as (

    select
        cur.agency_code,
        cur.agency_name,
        cur.agency_short_name,
        cur.province_code,
        cur.period_type,
        cur.year,
        cur.period_no,
        cur.period_start,
        cur.period_end,
        cur.period_label,
        cur.received_total,
        cur.received_online,
        cur.received_in_person,
        cur.received_postal,
        cur.received_offline,
        cur.received_nsw,
        cur.received_portal_online,
        cur.received_new,
        cur.received_carried_over,
        cur.resolved_total,
        cur.resolved_early,
        cur.resolved_on_time,
        cur.resolved_late,
        cur.resolved_withdrawn,
        cur.resolved_refused,
        cur.pending_total,
        cur.pending_in_time,
        cur.pending_overdue,
        cur.on_time_rate,
        cur.avg_days_early,
        cur.avg_processing_days,
        cur.online_rate,
        cur.online_payment_rate,
        cur.digitised_rate,
        cur.e_result_rate,
        cur.synced_rate,
        cur.complaints,
        cur.has_series_break,
        prev.received_total as prev_received_total,
        cur.received_total - prev.received_total as received_total_change,
        cur.received_new - prev.received_new as received_new_change,
        cur.resolved_total - prev.resolved_total as resolved_total_change,
        prev.on_time_rate as prev_on_time_rate,
        cur.on_time_rate - prev.on_time_rate as on_time_rate_change,
        cur.online_rate - prev.online_rate as online_rate_change,
        prev.agency_code is not null and not cur.has_series_break and not prev.has_series_break as is_change_comparable
    from ordered as cur
    left join ordered as prev
        on prev.agency_code = cur.agency_code
        and prev.period_type = cur.period_type
        and prev.period_ordinal = cur.period_ordinal - 1

)

select * from final
