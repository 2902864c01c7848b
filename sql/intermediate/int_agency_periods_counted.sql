-- Biểu 06 columns and service-quality counts per reporting agency and period
-- (docs/data-contracts.md §4.2). Withdrawn dossiers are counted only in resolved_withdrawn.
with attributed as (

    select * from int_dossiers_attributed

),

counted as (

    select
        reporting_agency_code as agency_code,
        period_type,
        year,
        period_no,
        period_start,
        period_end,
        count_if(is_counted and is_received and channel = 2) as received_online,
        count_if(is_counted and is_received and channel = 1) as received_in_person,
        count_if(is_counted and is_received and channel = 3) as received_postal,
        count_if(is_counted and is_received and is_nsw) as received_nsw,
        count_if(is_counted and is_carried_over) as received_carried_over,
        count_if(is_counted and is_resolved) as resolved_total,
        count_if(is_counted and is_resolved and resolution_class = 'early') as resolved_early,
        count_if(is_counted and is_resolved and resolution_class = 'on_time') as resolved_on_time,
        count_if(is_counted and is_resolved and resolution_class = 'late') as resolved_late,
        count_if(is_withdrawn and is_resolved) as resolved_withdrawn,
        count_if(is_counted and is_resolved and is_refused) as resolved_refused,
        count_if(is_counted and is_pending) as pending_total,
        count_if(is_counted and is_pending and not is_pending_overdue) as pending_in_time,
        count_if(is_counted and is_pending_overdue) as pending_overdue,
        avg(case when is_counted and is_resolved then cast(days_early as double) end) as avg_days_early,
        avg(case when is_counted and is_resolved then cast(processing_days as double) end) as avg_processing_days,
        count_if(is_counted and is_received and is_fee_bearing) as fee_bearing_count,
        count_if(is_counted and is_received and is_paid_online) as paid_online_count,
        count_if(is_counted and is_received and is_digitised) as digitised_count,
        count_if(is_counted and is_resolved and has_e_result) as e_result_count,
        count_if(is_counted and is_received and is_synced) as synced_count,
        count_if(is_counted and is_received and has_complaint) as complaints,
        count_if(is_counted and is_resolved and resolution_class <> 'late' and not has_complaint) as resolved_satisfied,
        count(distinct case when is_counted and is_received and is_fee_bearing then procedure_code end) as procedures_fee_bearing,
        count(distinct case when is_counted and is_received and is_paid_online then procedure_code end) as procedures_paid_online,
        count_if(agency_code <> reporting_agency_code) as inherited_count
    from attributed
    group by reporting_agency_code, period_type, year, period_no, period_start, period_end

),

final as (

    select
        agency_code,
        period_type,
        year,
        period_no,
        period_start,
        period_end,
        received_online + received_in_person + received_postal + received_carried_over as received_total,
        received_online,
        received_in_person,
        received_postal,
        received_in_person + received_postal as received_offline,
        received_nsw,
        received_online + received_in_person + received_postal as received_new,
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
        avg_days_early,
        avg_processing_days,
        fee_bearing_count,
        paid_online_count,
        digitised_count,
        e_result_count,
        synced_count,
        complaints,
        resolved_satisfied,
        procedures_fee_bearing,
        procedures_paid_online,
        inherited_count
    from counted

)

select * from final
