-- The monthly report: units formed from predecessors in the report's year ($year), or in the year of the
-- PAR Index it shows ($par_year: the 2025 mergers stand in the 2026 reports' PAR table of 2025), up to its
-- as-of date ($as_of, the month's last day), with their predecessors' names and codes in code order
-- (footnoted wherever the unit appears, and wherever a predecessor does: the PAR table of the year
-- before the mergers lists the old units); the report's province's units ($province_code).
select
    a.agency_code,
    a.agency_name,
    a.formed_on as break_date,
    array_agg(p.agency_name order by p.agency_code) filter (where p.agency_code is not null) as predecessor_names,
    array_agg(p.agency_code order by p.agency_code) filter (where p.agency_code is not null) as predecessor_codes
from agencies as a
left join agencies as p on p.successor_code = a.agency_code
where a.predecessor_codes is not null
  and a.province_code = $province_code
  and year(a.formed_on) in ($year, $par_year)
  and a.formed_on <= cast($as_of as date)
group by a.agency_code, a.agency_name, a.formed_on
order by a.agency_code
