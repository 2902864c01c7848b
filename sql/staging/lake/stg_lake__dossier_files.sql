-- The current dossiers of each landed file in each year of receipt: how many of its rows are still the
-- dossier's current version, and the newest update among them (data_quality sums the years: its
-- freshness and superseded counts per file). Read from the source, not from stg_lake__dossiers: that
-- one is computed only for the months of receipt a run rebuilds. By year of receipt (the landed
-- partitions' year), so a run rebuilds the years its new files landed rows in or superseded rows of,
-- not every landed dossier (bench/history.md, change 85).
with source as (

    select * from src_dossiers

),

final as (

    select
        cast(year as integer) as year,
        cast(raw_hash as varchar) as raw_hash,
        cast(max(updated_at) as timestamp) as newest_record_at,
        count(*) as rows_current
    from source
    group by year, raw_hash

)

select * from final
