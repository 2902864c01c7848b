-- Why a date-range report for one agency ($agency_code) returned no row (functions/core/transform/range.ts):
-- the registry's account of the code, from int_agencies_chained. No row: the code is not in the
-- registry. Otherwise its validity and its direct successor, so the message can say that a merged
-- unit's dossiers report under the unit that took it over, or that the unit began after the range.
select
    a.agency_code,
    a.agency_name,
    a.kind,
    a.valid_from,
    a.valid_to,
    a.ended_on,
    a.successor_code,
    s.agency_name as successor_name
from int_agencies_chained as a
left join int_agencies_chained as s on s.agency_code = a.successor_code
where a.agency_code = $agency_code
