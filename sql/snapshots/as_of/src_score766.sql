-- 766 scores as of the snapshot's date: an answer captured after it (as_of) was not yet published.
select s.*
from landed_score766 as s
cross join snapshot_as_of as p
where s.as_of <= p.as_of_date
