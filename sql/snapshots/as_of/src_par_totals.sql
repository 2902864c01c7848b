-- PAR Index totals as of the snapshot's date: the results of year Y are known from 01/3 of Y+1
-- (provinces publish the decision in the first quarter; docs/data-contracts.md).
select t.*
from landed_par_totals as t
cross join snapshot_as_of as p
where cast(cast(t.year + 1 as varchar) || '-03-01' as date) <= p.as_of_date
