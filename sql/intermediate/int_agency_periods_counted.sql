-- Biểu 06 columns and service-quality counts per reporting agency and period
-- (docs/data-contracts.md §4.2). Withdrawn dossiers are counted only in resolved_withdrawn.
with attributed as (

    select * from int_dossiers_attributed

),

periods as (

    select * from int_periods_reported

),

agencies as (

    select * from int_agencies_chained

),

-- Every unit that existed at a period's end gets a row, dossiers or not: Biểu 06 lists them all
-- (the province's own People's Committee is the reporting level, not a line of the form).
scaffold as (

    select
        a.agency_code,
        p.period_type,
        p.year,
        p.period_no,
        p.period_start,
        p.period_end
    from periods as p
    inner join agencies as a
        on a.valid_from <= p.period_end
        and (a.valid_to is null or a.valid_to >= p.period_end)
    where a.kind <> 'ubnd_tinh'

),

counted_dossiers as (

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
        count_if(is_counted and is_received and channel = 2 and not is_nsw) as received_portal_online,
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
        count(distinct case when is_counted and is_received and is_paid_online then procedure_code end) as procedures_paid_online,
        count_if(agency_code <> reporting_agency_code) as inherited_count
    from attributed
    group by reporting_agency_code, period_type, year, period_no, period_start, period_end

),

counted as (

    select
        coalesce(c.agency_code, s.agency_code) as agency_code,
        coalesce(c.period_type, s.period_type) as period_type,
        coalesce(c.year, s.year) as year,
        coalesce(c.period_no, s.period_no) as period_no,
        coalesce(c.period_start, s.period_start) as period_start,
        coalesce(c.period_end, s.period_end) as period_end,
        coalesce(c.received_online, 0) as received_online,
        coalesce(c.received_in_person, 0) as received_in_person,
        coalesce(c.received_postal, 0) as received_postal,
        coalesce(c.received_nsw, 0) as received_nsw,
        coalesce(c.received_portal_online, 0) as received_portal_online,
        coalesce(c.received_carried_over, 0) as received_carried_over,
        coalesce(c.resolved_total, 0) as resolved_total,
        coalesce(c.resolved_early, 0) as resolved_early,
        coalesce(c.resolved_on_time, 0) as resolved_on_time,
        coalesce(c.resolved_late, 0) as resolved_late,
        coalesce(c.resolved_withdrawn, 0) as resolved_withdrawn,
        coalesce(c.resolved_refused, 0) as resolved_refused,
        coalesce(c.pending_total, 0) as pending_total,
        coalesce(c.pending_in_time, 0) as pending_in_time,
        coalesce(c.pending_overdue, 0) as pending_overdue,
        c.avg_days_early,
        c.avg_processing_days,
        coalesce(c.fee_bearing_count, 0) as fee_bearing_count,
        coalesce(c.paid_online_count, 0) as paid_online_count,
        coalesce(c.digitised_count, 0) as digitised_count,
        coalesce(c.e_result_count, 0) as e_result_count,
        coalesce(c.synced_count, 0) as synced_count,
        coalesce(c.complaints, 0) as complaints,
        coalesce(c.resolved_satisfied, 0) as resolved_satisfied,
        coalesce(c.procedures_paid_online, 0) as procedures_paid_online,
        coalesce(c.inherited_count, 0) as inherited_count
    from counted_dossiers as c
    full outer join scaffold as s
        on s.agency_code = c.agency_code
        and s.period_type = c.period_type
        and s.year = c.year
        and s.period_no = c.period_no

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
        received_portal_online,
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
        procedures_paid_online,
        inherited_count
    from counted

)

select * from final
