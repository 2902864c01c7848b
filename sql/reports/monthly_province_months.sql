-- The monthly report (functions/core/report/data.ts): every province_months row of the month's
-- snapshot, oldest first; the report picks the month, the month before, the same month a year
-- before and the 13-month trend out of it. Read over the snapshot's Parquet files, registered as
-- views named after their marts; this is a query over the snapshot, not a model.
select *
from province_months
order by year, month
