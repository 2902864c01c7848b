-- The monthly report: the PAR Index units of the latest year the snapshot holds (a year's results
-- are in a snapshot once known, sql/snapshots/as_of/src_par_totals.sql), by rank (unranked last),
-- then points, then name.
select *
from par_agency_years
where year = (select max(year) from par_agency_years)
order by rank nulls last, total_points desc, agency_name
