-- Biểu 06 as of the snapshot's date: a sheet of a report period ending after it was not yet written.
select b.*
from landed_bieu06 as b
cross join snapshot_as_of as p
where b.period_end <= p.as_of_date
