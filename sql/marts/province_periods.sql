-- Province totals per month and per year: the sum of the province's reporting agencies (agency_periods),
-- with the channel mix incl. NSW. province_months and province_years are its two slices.
with agency_rows as (

    select * from agency_periods

),

registry as (

    select * from stg_lake__agencies

),

province_names as (

    select
        province_code,
        min(agency_name) as province_name
    from registry
    where kind = 'ubnd_tinh'
    group by province_code

),

summed as (

    select
        province_code,
        period_type,
        year,
        period_no,
        period_start,
        period_label,
        count_if(received_total > 0) as agency_count,
        sum(received_total) as received_total,
        sum(received_new) as received_new,
        sum(received_online) as received_online,
        sum(received_nsw) as received_nsw,
        sum(received_portal_online) as received_portal_online,
        sum(received_in_person) as received_in_person,
        sum(received_postal) as received_postal,
        sum(received_carried_over) as received_carried_over,
        sum(resolved_total) as resolved_total,
        sum(resolved_early) as resolved_early,
        sum(resolved_on_time) as resolved_on_time,
        sum(resolved_late) as resolved_late,
        sum(pending_total) as pending_total,
        sum(pending_overdue) as pending_overdue,
        sum(fee_bearing_count) as fee_bearing_count,
        sum(paid_online_count) as paid_online_count,
        sum(digitised_count) as digitised_count,
        sum(e_result_count) as e_result_count,
        sum(synced_count) as synced_count,
        sum(complaints) as complaints
    from agency_rows
    where period_type in ('month', 'year')
      and province_code is not null
    group by province_code, period_type, year, period_no, period_start, period_label

),

final as (

    select
        s.province_code,
        coalesce(n.province_name, s.province_code) as province_name,
        s.period_type,
        s.year,
        s.period_no as month,
        s.period_start,
        s.period_label,
        s.agency_count,
        s.received_total,
        s.received_new,
        s.received_online,
        s.received_portal_online,
        s.received_nsw,
        s.received_in_person,
        s.received_postal,
        s.received_carried_over,
        s.resolved_total,
        s.resolved_early,
        s.resolved_on_time,
        s.resolved_late,
        s.pending_total,
        s.pending_overdue,
        cast(s.resolved_early + s.resolved_on_time as double) / nullif(s.resolved_total, 0) as on_time_rate,
        cast(s.received_online as double) / nullif(s.received_new, 0) as online_rate,
        cast(s.received_nsw as double) / nullif(s.received_new, 0) as nsw_share,
        cast(s.paid_online_count as double) / nullif(s.fee_bearing_count, 0) as online_payment_rate,
        cast(s.digitised_count as double) / nullif(s.received_new, 0) as digitised_rate,
        cast(s.e_result_count as double) / nullif(s.resolved_total, 0) as e_result_rate,
        cast(s.synced_count as double) / nullif(s.received_new, 0) as synced_rate,
        s.complaints
    from summed as s
    left join province_names as n on n.province_code = s.province_code

)

select * from final
