-- The monthly report: the agency_periods rows of one period of the snapshot ($period_type 'month'
-- with $period_no the month; 'quarter' with the quarter the month closes; 'half' 1 in June; 'year' 1
-- in December), each with its unit's
-- kind from the registry, in agency code order (the DOCX agency table and the Biểu 06 workbooks); the
-- report's province's units only ($province_code: a lake that holds two provinces, before and after a
-- merger of provinces, adds no other province's units to the table whose total is this province's).
select
    ap.*,
    a.kind
from agency_periods as ap
left join agencies as a using (agency_code)
where ap.period_type = $period_type
  and ap.year = $year
  and ap.period_no = $period_no
  and ap.province_code = $province_code
order by ap.agency_code
