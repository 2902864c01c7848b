with published as (

    select * from stg_lake__score766

),

agencies as (

    select * from int_agencies_chained

),

calendar as (

    select * from calendar_months

),

-- Sources that publish no rank (the legacy monthly report) are ranked the way the portal ranks:
-- by total among the province's units of the same period and capture, and within the unit group.
units as (

    select
        p.dataset_label, p.province_code, p.period_type, p.year, p.period_no, p.as_of, p.unit_id, p.unit_name,
        p.unit_code, p.agency_code, p.unit_group, p.score_ckmb, p.score_tdgq, p.score_clgq, p.score_tttt, p.score_mdhl,
        p.score_mdsh, p.score_total,
        cast(coalesce(p.rank, rank() over (partition by p.dataset_label, p.province_code, p.period_type, p.year, p.period_no, p.as_of order by p.score_total desc)) as integer) as rank,
        cast(coalesce(p.group_rank, rank() over (partition by p.dataset_label, p.province_code, p.period_type, p.year, p.period_no, p.as_of, p.unit_group order by p.score_total desc)) as integer) as group_rank,
        cast(coalesce(p.units_total, count(*) over (partition by p.dataset_label, p.province_code, p.period_type, p.year, p.period_no, p.as_of)) as integer) as units_total,
        cast(coalesce(p.group_units, count(*) over (partition by p.dataset_label, p.province_code, p.period_type, p.year, p.period_no, p.as_of, p.unit_group)) as integer) as group_units
    from published as p

),

labelled as (

    select
        u.*,
        case u.period_type
            when 'month' then 'Tháng ' || cast(u.period_no as varchar) || '/' || cast(u.year as varchar)
            when 'quarter' then 'Quý ' || cast(u.period_no as varchar) || '/' || cast(u.year as varchar)
            when 'half' then case when u.period_no = 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end || cast(u.year as varchar)
            else 'Năm ' || cast(u.year as varchar)
        end as period_label,
        case
            when u.score_total >= 90 then 'Xuất sắc'
            when u.score_total >= 80 then 'Tốt'
            when u.score_total >= 65 then 'Khá'
            when u.score_total >= 50 then 'Trung bình'
            else 'Yếu'
        end as band,
        lag(u.as_of) over w as prev_as_of,
        lag(u.score_total) over w as prev_score_total,
        lag(u.rank) over w as prev_rank,
        lag(u.units_total) over w as prev_units_total,
        c.month_end as period_end,
        lag(c.month_end) over w as prev_period_end
    from units as u
    left join calendar as c
        on c.year = u.year
        and c.month = case u.period_type when 'month' then u.period_no when 'quarter' then 3 * u.period_no when 'half' then 6 * u.period_no else 12 end
    window w as (partition by u.dataset_label, u.unit_id, u.period_type order by u.year, u.period_no, u.as_of)

),

-- A change is quoted only where the two rows compare (as par_agency_years does): a unit that absorbed others or
-- ended after its previous row's period and by the end of this one is not the unit it was (Sở Nội vụ taking in
-- Sở LĐ-TB&XH on 01/03/2025: its score and rank changes are left empty), and a rank among another number of
-- units is another scale (21 units ranked in February 2025, 16 in March: the last unit of both reads five up).
compared as (

    select
        l.*,
        coalesce(
            (a.absorbed_on > l.since and a.absorbed_on <= l.until)
            or (a.ended_on > l.since and a.ended_on <= l.until),
            false
        ) as is_merged
    from (
        -- Between the previous row and this one: period ends, or, for an earlier capture of the same period (a
        -- year to date captured again), the capture dates.
        select
            labelled.*,
            case when prev_period_end = period_end then prev_as_of else prev_period_end end as since,
            case when prev_period_end = period_end then as_of else period_end end as until
        from labelled
    ) as l
    left join agencies as a
        on a.agency_code = l.agency_code

),

final as (

    select
        dataset_label,
        province_code,
        period_type,
        year,
        period_no,
        period_label,
        as_of,
        unit_id,
        unit_code,
        agency_code,
        unit_name,
        -- Shown where the province is the context: "Sở Y tế - tỉnh Gia Lai" → "Sở Y tế".
        case
            when strpos(unit_name, ' - tỉnh ') > 0 then substr(unit_name, 1, strpos(unit_name, ' - tỉnh ') - 1)
            when strpos(unit_name, ' - thành phố ') > 0 then substr(unit_name, 1, strpos(unit_name, ' - thành phố ') - 1)
            else unit_name
        end as unit_short_name,
        unit_group,
        rank,
        units_total,
        group_rank,
        group_units,
        score_total,
        score_ckmb,
        score_tdgq,
        score_clgq,
        score_tttt,
        score_mdhl,
        score_mdsh,
        band,
        prev_as_of,
        prev_score_total,
        case when not is_merged then round(score_total - prev_score_total, 2) end as score_total_change,
        prev_rank,
        case when not is_merged and prev_units_total = units_total then prev_rank - rank end as rank_change,
        prev_units_total,
        is_merged
    from compared

)

select * from final
