-- The monthly report: the 766 scores of the province's agencies ($province_code) for the report's
-- month, the rows labelled 'real' (the real-766 dataset) left out, one row per unit: its latest
-- answer (as_of), by rank (unranked last), then score, then name. Every column of the mart is given
-- (`u.*`): a snapshot published before the mart gained a column (prev_units_total) still reads, the
-- column absent from its rows.
with answers as (

    select
        u.*,
        coalesce(u.unit_short_name, u.unit_name) as report_unit_name,
        row_number() over (partition by u.unit_id order by u.as_of desc) as answer_no
    from score766_units as u
    where u.province_code = $province_code
      and u.unit_group = 'AGENCY'
      and u.period_type = 'month'
      and u.year = $year
      and u.period_no = $month
      and u.dataset_label <> 'real'

)

select *
from answers
where answer_no = 1
order by rank nulls last, score_total desc, report_unit_name
