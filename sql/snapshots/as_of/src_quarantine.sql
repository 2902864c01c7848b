-- Quarantined rows as of the snapshot's date: rows of files pulled for a later month are left out.
select q.*
from quarantine as q
cross join snapshot_as_of as p
where q.year * 100 + q.month <= year(p.as_of_date) * 100 + month(p.as_of_date)
