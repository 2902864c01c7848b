-- The current dossiers of each landed file: how many of its rows are still the dossier's current
-- version, and the newest update among them (data_quality's freshness and superseded counts). Read
-- from the source, not from stg_lake__dossiers: that one is computed only for the years of receipt an
-- incremental run rebuilds, and this count is over every year.
with source as (

    select * from src_dossiers

),

final as (

    select
        cast(raw_hash as varchar) as raw_hash,
        cast(max(updated_at) as timestamp) as newest_record_at,
        count(*) as rows_current
    from source
    group by raw_hash

)

select * from final
