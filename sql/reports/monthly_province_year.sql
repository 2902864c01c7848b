-- The monthly report (functions/core/report/data.ts): the province's year to date, the province_years
-- row of the report's province ($province_code, the one of its month's province_months row) and year
-- ($year) in the month's snapshot. The snapshot is cut at the month's last
-- day, so the running year's row runs from 1 January to that day: the figures the report gives as the
-- year to date ("6 tháng đầu năm" in June, "9 tháng đầu năm" in September, the whole year in December).
-- period_end: the year row's last day in the snapshot, the month's last day unless the data ends
-- earlier (agency_periods carries it; province_years does not).
select
    py.*,
    (
        select max(ap.period_end)
        from agency_periods as ap
        where ap.period_type = 'year'
          and ap.year = $year
    ) as period_end
from province_years as py
where py.province_code = $province_code
  and py.year = $year
