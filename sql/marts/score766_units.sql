with published as (

    select * from stg_lake__score766

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
        lag(u.rank) over w as prev_rank
    from units as u
    window w as (partition by u.dataset_label, u.unit_id, u.period_type order by u.year, u.period_no, u.as_of)

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
        round(score_total - prev_score_total, 2) as score_total_change,
        prev_rank,
        prev_rank - rank as rank_change
    from labelled

)

select * from final
