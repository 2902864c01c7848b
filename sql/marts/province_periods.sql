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
        -- cast: DuckDB sums BIGINTs into a HUGEINT (stored as DOUBLE in Parquet); Trino's sum is a BIGINT.
        cast(sum(received_total) as bigint) as received_total,
        cast(sum(received_new) as bigint) as received_new,
        cast(sum(received_online) as bigint) as received_online,
        cast(sum(received_nsw) as bigint) as received_nsw,
        cast(sum(received_portal_online) as bigint) as received_portal_online,
        cast(sum(received_in_person) as bigint) as received_in_person,
        cast(sum(received_postal) as bigint) as received_postal,
        cast(sum(received_carried_over) as bigint) as received_carried_over,
        cast(sum(resolved_total) as bigint) as resolved_total,
        cast(sum(resolved_early) as bigint) as resolved_early,
        cast(sum(resolved_on_time) as bigint) as resolved_on_time,
        cast(sum(resolved_late) as bigint) as resolved_late,
        cast(sum(pending_total) as bigint) as pending_total,
        cast(sum(pending_overdue) as bigint) as pending_overdue,
        cast(sum(fee_bearing_count) as bigint) as fee_bearing_count,
        cast(sum(paid_online_count) as bigint) as paid_online_count,
        cast(sum(digitised_count) as bigint) as digitised_count,
        cast(sum(e_result_count) as bigint) as e_result_count,
        cast(sum(synced_count) as bigint) as synced_count,
        cast(sum(complaints) as bigint) as complaints
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
