-- The monthly report: the procedures of the report's year to date with late dossiers, most late
-- first (ties: the lower on-time rate, then the procedure code), at most 10, named by the procedure
-- (its code when unnamed) and by the unit holding it at the snapshot's end of the year to date
-- (procedure_catalogue's holder, as the report's other tables name their units: a procedure of a unit
-- merged before then stands under its successor), by its code when the registry lacks it; the report's
-- province's units only ($province_code; a unit the registry lacks is kept, as no other province claims it).
select
    pc.procedure_code,
    coalesce(pc.procedure_name, pc.procedure_code) as procedure_name,
    coalesce(a.agency_name, pc.agency_code, '') as agency_name,
    pc.resolved_total,
    pc.resolved_late,
    pc.on_time_rate
from procedure_catalogue as pc
left join agencies as a using (agency_code)
where pc.year = $year
  and pc.resolved_late > 0
  and (a.province_code is null or a.province_code = $province_code)
order by pc.resolved_late desc, pc.on_time_rate asc, pc.procedure_code
limit 10
