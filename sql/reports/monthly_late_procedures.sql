-- The monthly report: the procedures of the report's year to date with late dossiers, most late
-- first (ties: the lower on-time rate, then the procedure code), at most 10, named by the procedure
-- (its code when unnamed) and by the unit holding it on the report month's last day ($period_end),
-- as the report's other tables name their units: a procedure of a unit merged before that day is
-- named under its successor (the successor of a successor too; beyond that, the end of the chain),
-- by its code when the registry lacks it.
with late as (

    select * from procedure_years
    where year = $year
      and resolved_late > 0

),

registry as (

    select * from agencies

),

held as (

    select
        py.*,
        case
            when a.agency_code is null then py.agency_code
            when a.valid_to is null or a.valid_to >= cast($period_end as date) then a.agency_code
            when s1.agency_code is null then a.final_successor_code
            when s1.valid_to is null or s1.valid_to >= cast($period_end as date) then s1.agency_code
            else a.final_successor_code
        end as holder_code
    from late as py
    left join registry as a on a.agency_code = py.agency_code
    left join registry as s1 on s1.agency_code = a.successor_code

)

select
    h.procedure_code,
    coalesce(h.procedure_name, h.procedure_code) as procedure_name,
    coalesce(r.agency_name, h.holder_code, '') as agency_name,
    h.resolved_total,
    h.resolved_late,
    h.on_time_rate
from held as h
left join registry as r on r.agency_code = h.holder_code
order by h.resolved_late desc, h.on_time_rate asc, h.procedure_code
limit 10
