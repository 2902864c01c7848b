-- Every unit line of a filed Biểu 06 (the bieu06 workbooks of the drop, as the agencies' or the
-- province's own systems counted them), column by column (c3–c13), beside the same cell recomputed from
-- the dossiers (agency_periods: the pipeline's reading, docs/bieu06.md). A line is matched to its
-- reporting agency by the registry name at the period's last day (the reader's agency_code), and to the
-- recomputed row of the same period (type, number, first and last day). status: `agrees` (filed =
-- computed), `differs`, `unit_unmatched` (the unit's name is not in the registry: no code, nothing to
-- compare) or `no_computed_row` (the agency reports nothing for that period — e.g. a unit ended before
-- the period's last day files a line its successor now reports — or the sheet's dates are not a
-- calendar period).
with filed as (

    select * from stg_lake__bieu06

),

computed as (

    select * from agency_periods

),

periods as (

    select * from int_periods_enumerated

),

form_columns as (

    select column_no, column_heading from (
        values
            (3, 'Nhận giải quyết – Tổng số'),
            (4, 'Nhận giải quyết – Trực tuyến'),
            (5, 'Nhận giải quyết – Trực tiếp, dịch vụ bưu chính'),
            (6, 'Nhận giải quyết – Từ kỳ trước'),
            (7, 'Đã giải quyết – Tổng số'),
            (8, 'Đã giải quyết – Trước hạn'),
            (9, 'Đã giải quyết – Đúng hạn'),
            (10, 'Đã giải quyết – Quá hạn'),
            (11, 'Đang giải quyết – Tổng số'),
            (12, 'Đang giải quyết – Trong hạn'),
            (13, 'Đang giải quyết – Quá hạn')
    ) as c(column_no, column_heading)

),

lines as (

    select
        f.period_type,
        f.year,
        f.period_no,
        f.period_start,
        f.period_end,
        p.period_label,
        f.band,
        f.line_no,
        f.unit_name,
        f.agency_code,
        c.agency_code is not null as has_computed,
        array[
            f.received_total, f.received_online, f.received_offline, f.received_carried_over,
            f.resolved_total, f.resolved_early, f.resolved_on_time, f.resolved_late,
            f.pending_total, f.pending_in_time, f.pending_overdue
        ] as filed_cells,
        array[
            c.received_total, c.received_online, c.received_offline, c.received_carried_over,
            c.resolved_total, c.resolved_early, c.resolved_on_time, c.resolved_late,
            c.pending_total, c.pending_in_time, c.pending_overdue
        ] as computed_cells
    from filed as f
    left join computed as c
        on c.agency_code = f.agency_code
        and c.period_type = f.period_type
        and c.year = f.year
        and c.period_no = f.period_no
        and c.period_start = f.period_start
        and c.period_end = f.period_end
    left join periods as p
        on p.period_type = f.period_type
        and p.year = f.year
        and p.period_no = f.period_no
        and p.period_start = f.period_start
        and p.period_end = f.period_end

),

cells as (

    select
        l.period_type,
        l.year,
        l.period_no,
        l.period_start,
        l.period_end,
        l.period_label,
        l.band,
        l.line_no,
        l.unit_name,
        l.agency_code,
        k.column_no,
        k.column_heading,
        l.has_computed,
        l.filed_cells[k.column_no - 2] as filed,
        l.computed_cells[k.column_no - 2] as computed
    from lines as l
    cross join form_columns as k

),

final as (

    select
        period_type,
        year,
        period_no,
        period_start,
        period_end,
        period_label,
        band,
        line_no,
        unit_name,
        agency_code,
        column_no,
        column_heading,
        filed,
        computed,
        filed - computed as difference,
        case
            when agency_code is null then 'unit_unmatched'
            when not has_computed then 'no_computed_row'
            when filed = computed then 'agrees'
            else 'differs'
        end as status
    from cells

)

select * from final
