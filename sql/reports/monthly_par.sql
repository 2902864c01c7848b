-- The monthly report: the PAR Index units of the latest year the snapshot holds (a year's results
-- are in a snapshot once known, sql/snapshots/as_of/src_par_totals.sql), by rank (unranked last),
-- then points, then name; the report's province's units only ($province_code; a unit the registry does
-- not match is kept, as in a one-province lake).
select
    par.*,
    -- How many units the year before ranked (0 without that year): another number, no rank compared.
    (select count(*) from par_agency_years as before where before.year = par.year - 1) as prev_units_ranked
from par_agency_years as par
left join agencies as a on a.agency_code = par.agency_code
where par.year = (select max(year) from par_agency_years)
  and (a.province_code is null or a.province_code = $province_code)
order by par.rank nulls last, par.total_points desc, par.agency_name
