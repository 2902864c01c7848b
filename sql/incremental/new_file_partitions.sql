-- The landed partitions (source, year and month of receipt) that hold a row of a dossier file landed
-- since the last transform, current (landed/dossiers) or lost (landed/_superseded/dossiers: the version
-- the new file replaced, or the new file's version that lost to a newer one). Not a model: run by
-- functions/core/transform/incremental.ts before touched_partitions.sql, which reads the versions of
-- the changed dossiers in these partitions only; the runner puts the new files' raw hashes where
-- incremental_new_files stands. It reads raw_hash and the partition columns only.
with new_files as (

    select raw_hash from incremental_new_files

),

current_rows as (

    select distinct source, year, month
    from src_dossiers
    where raw_hash in (select raw_hash from new_files)

),

superseded_rows as (

    select distinct source, year, month
    from src_superseded_dossiers
    where raw_hash in (select raw_hash from new_files)
        or superseded_by_hash in (select raw_hash from new_files)

),

final as (

    select source, year, month from current_rows
    union
    select source, year, month from superseded_rows

)

select source, year, month from final order by source, year, month
