-- The monthly report: units formed from predecessors in the report's year ($year), or in the year of the
-- PAR Index it shows ($par_year: the 2025 mergers stand in the 2026 reports' PAR table of 2025), up to its
-- as-of date ($as_of, the month's last day), with their predecessors' names and codes in code order
-- (footnoted wherever the unit appears, and wherever a predecessor does: the PAR table of the year
-- before the mergers lists the old units); the report's province's units ($province_code). The day a unit
-- was formed (agencies.formed_on) is worked out here from its predecessors' last day, as
-- int_agencies_chained does: a snapshot published before `agencies` had that column still reads.
with formed as (

    select
        a.agency_code,
        a.agency_name,
        coalesce(cast(min(p.valid_to) + interval '1' day as date), a.valid_from) as formed_on,
        array_agg(p.agency_name order by p.agency_code) filter (where p.agency_code is not null) as predecessor_names,
        array_agg(p.agency_code order by p.agency_code) filter (where p.agency_code is not null) as predecessor_codes
    from agencies as a
    left join agencies as p
        on p.successor_code = a.agency_code
        and p.agency_code <> a.agency_code
    where a.predecessor_codes is not null
      and a.province_code = $province_code
    group by a.agency_code, a.agency_name, a.valid_from

)

select
    agency_code,
    agency_name,
    formed_on as break_date,
    predecessor_names,
    predecessor_codes
from formed
where year(formed_on) in ($year, $par_year)
  and formed_on <= cast($as_of as date)
order by agency_code
