-- Why a date-range report for one agency ($agency_code) returned no row (functions/core/transform/range.ts):
-- the registry's account of the code, from int_agencies_chained, on the range's effective end (the
-- requested end $range_end, or the data's last known date when earlier, as agency_range.sql caps it).
-- No row: the code is not in the registry. Otherwise its validity and the unit holding its dossiers on
-- that day, by the successor chain exactly as agency_range.sql attributes them (a unit merged twice is
-- held by the second successor), so the message can name the code to ask for.
with bounds as (

    select
        case when w.last_date < cast($range_end as date) then w.last_date else cast($range_end as date) end as period_end,
        w.last_date as data_last_date
    from (select max(last_known_date) as last_date from int_dossier_receipt_years) as w

),

held as (

    select
        g.agency_code,
        g.agency_name,
        g.kind,
        g.valid_from,
        g.valid_to,
        g.ended_on,
        b.period_end,
        b.data_last_date,
        case
            when g.valid_to is null or g.valid_to >= b.period_end then g.agency_code
            when g.successor_code is null then g.agency_code
            when g.successor_1_valid_to is null or g.successor_1_valid_to >= b.period_end then g.successor_code
            when g.successor_2_code is null then g.successor_code
            when g.successor_2_valid_to is null or g.successor_2_valid_to >= b.period_end then g.successor_2_code
            when g.successor_3_code is null then g.successor_2_code
            else g.successor_3_code
        end as holder_code
    from int_agencies_chained as g
    cross join bounds as b
    where g.agency_code = $agency_code

)

select
    h.agency_code,
    h.agency_name,
    h.kind,
    h.valid_from,
    h.valid_to,
    h.ended_on,
    h.period_end,
    h.data_last_date,
    h.holder_code,
    s.agency_name as holder_name
from held as h
left join int_agencies_chained as s on s.agency_code = h.holder_code
