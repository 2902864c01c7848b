-- The monthly report (functions/core/report/data.ts): the province's year to date, the province_years
-- row of the report's province ($province_code, the one of its month's province_months row) and year
-- ($year) in the month's snapshot. The snapshot is cut at the month's last
-- day, so the running year's row runs from 1 January to that day: the figures the report gives as the
-- year to date ("6 tháng đầu năm" in June, "9 tháng đầu năm" in September, the whole year in December).
select *
from province_years
where province_code = $province_code
  and year = $year
