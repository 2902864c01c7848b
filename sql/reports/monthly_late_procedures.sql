-- The monthly report: the procedures of the report's year to date with late dossiers, most late
-- first (ties: the lower on-time rate, then the procedure code), at most 10, named by the procedure
-- (its code when unnamed) and by the agency (its code when the registry lacks it).
select
    py.procedure_code,
    coalesce(py.procedure_name, py.procedure_code) as procedure_name,
    coalesce(a.agency_name, py.agency_code, '') as agency_name,
    py.resolved_total,
    py.resolved_late,
    py.on_time_rate
from procedure_years as py
left join agencies as a using (agency_code)
where py.year = $year
  and py.resolved_late > 0
order by py.resolved_late desc, py.on_time_rate asc, py.procedure_code
limit 10
