-- The partitions an incremental transform rebuilds because of the dossier files landed since the
-- last transform (functions/core/transform/incremental.ts; docs/architecture.md, "Incremental
-- models"). Not a model: the runner puts the new files' raw hashes where incremental_new_files stands,
-- and where incremental_new_partitions stands the sources, years and months of the landed partitions
-- that hold a row of a new file (new_file_partitions.sql, run first; none: this query is not run).
-- A dossier is changed when a new file holds a version of it, current (landed/dossiers) or lost
-- (landed/_superseded/dossiers: the version the new file replaced, or the new file's version that
-- lost to a newer one). A dossier id lives in one partition of the lake, and its lost versions in the
-- same partition of the ledger (the landing quarantines a version that would land in another; the
-- lake's invariants fail a run that finds an id twice): every version of a changed dossier is read
-- in those partitions only, not across the lake. Every version of a changed dossier — and the portal
-- copy of a changed NSW dossier, which the NSW row now hides (docs/data-contracts.md §4.6), looked up
-- in every partition — counts in every report period
-- from its receipt to its finish (or for ever while pending): the years those periods lie in are
-- rebuilt. The years of receipt and of finish of every version are rebuilt too, report years or not:
-- they are partitions of int_dossiers_carried_over (year of receipt) and procedure_years (year of
-- receipt and of finish), and a dossier received before the first report year (the landing accepts
-- any receipt from 2000) has rows there and in no report period. One row per partition: `year` (a
-- partition of the models by year) with `receipt_month` null, or a month of receipt as yyyymm (a
-- partition of the models by receipt_month: stg_lake__dossiers, int_dossiers_classified) with its year;
-- or, with both null, a span of days the changed versions cover (received_date … reached_date).
with new_files as (

    select raw_hash from incremental_new_files

),

-- The rows of the partitions the new files wrote (the lists may name a few partitions more: a source,
-- year and month of different partitions; they hold no row of a new file, so nothing changes).
touched_dossiers as (

    select dossier_id, raw_hash, received_at, finished_at
    from src_dossiers
    where source in (select source from incremental_new_partitions)
        and year in (select year from incremental_new_partitions)
        and month in (select month from incremental_new_partitions)

),

touched_superseded as (

    select dossier_id, raw_hash, superseded_by_hash, received_at, finished_at
    from src_superseded_dossiers
    where source in (select source from incremental_new_partitions)
        and year in (select year from incremental_new_partitions)
        and month in (select month from incremental_new_partitions)

),

changed as (

    select dossier_id
    from touched_dossiers
    where raw_hash in (select raw_hash from new_files)

    union

    select dossier_id
    from touched_superseded
    where raw_hash in (select raw_hash from new_files)
        or superseded_by_hash in (select raw_hash from new_files)

),

versions as (

    select d.received_at, d.finished_at
    from touched_dossiers as d
    where d.dossier_id in (select dossier_id from changed)

    union all

    -- The portal copy (NSW-<id> → <id>) of a changed NSW dossier, in whichever partition it lies: a
    -- semi-join on the month's few NSW ids (DuckDB skips the row groups whose id range holds none).
    select d.received_at, d.finished_at
    from src_dossiers as d
    where d.dossier_id in (select substr(dossier_id, 5) from changed where starts_with(dossier_id, 'NSW-'))

    union all

    select s.received_at, s.finished_at
    from touched_superseded as s
    where s.dossier_id in (select dossier_id from changed)

),

report_years as (

    -- The calendar seed's years (those of int_periods_enumerated): a seed is built before any
    -- model, so this runs before int_dossiers_classified, the first incremental model. None after
    -- the lake's newest year of receipt (the landed partitions'): int_periods_reported reports no
    -- year in which nothing was received, so a pending dossier reaches the years up to that one,
    -- not the calendar's end (2035: ten empty partitions of every incremental model each month).
    select distinct year
    from calendar_months
    where year <= (select max(year) from src_dossiers)

),

reported as (

    select y.year
    from report_years as y
    inner join versions as v
        on y.year >= year(cast(v.received_at as date))
        and (v.finished_at is null or y.year <= year(cast(v.finished_at as date)))

),

received as (

    select distinct
        year(cast(received_at as date)) as year,
        year(cast(received_at as date)) * 100 + month(cast(received_at as date)) as receipt_month
    from versions

),

finished as (

    select distinct year(cast(finished_at as date)) as year
    from versions
    where finished_at is not null

),

-- Each day of receipt of a changed version, with the last day any version received that day reaches
-- (its finish; 9999-12-31 while one is open): the report periods these spans overlap are the ones
-- the changes reach within a rebuilt year (the models with incremental_scope: period). One row per
-- day, however many versions: a span from a day reaches every period a shorter one from it reaches.
reached as (

    select
        cast(received_at as date) as received_date,
        max(coalesce(cast(finished_at as date), date '9999-12-31')) as reached_date
    from versions
    group by cast(received_at as date)

),

final as (

    select year, cast(null as integer) as receipt_month, cast(null as date) as received_date, cast(null as date) as reached_date from reported
    union
    select year, cast(null as integer) as receipt_month, cast(null as date) as received_date, cast(null as date) as reached_date from finished
    union
    select year, receipt_month, cast(null as date) as received_date, cast(null as date) as reached_date from received
    union
    select cast(null as integer) as year, cast(null as integer) as receipt_month, received_date, reached_date from reached

)

select
    year,
    receipt_month,
    cast(received_date as varchar) as received_date,
    cast(reached_date as varchar) as reached_date
from final
order by year, receipt_month, received_date
