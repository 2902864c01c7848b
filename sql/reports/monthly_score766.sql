-- The monthly report: the 766 scores of the province's agencies ($province_code) for the report's
-- month, the rows labelled 'real' (the real-766 dataset) left out, one row per unit: its latest
-- answer (as_of), by rank (unranked last), then score, then name.
with answers as (

    select
        agency_code,
        coalesce(unit_short_name, unit_name) as unit_name,
        rank,
        units_total,
        score_total,
        score_total_change,
        rank_change,
        band,
        row_number() over (partition by unit_id order by as_of desc) as answer_no
    from score766_units
    where province_code = $province_code
      and unit_group = 'AGENCY'
      and period_type = 'month'
      and year = $year
      and period_no = $month
      and dataset_label <> 'real'

)

select
    agency_code,
    unit_name,
    rank,
    units_total,
    score_total,
    score_total_change,
    rank_change,
    band
from answers
where answer_no = 1
order by rank nulls last, score_total desc, unit_name
