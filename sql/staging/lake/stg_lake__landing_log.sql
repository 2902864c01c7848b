with source as (

    select * from src_landing_log

),

final as (

    select
        cast(source as varchar) as source,
        cast(dataset as varchar) as dataset,
        cast(raw_hash as varchar) as raw_hash,
        cast(original_name as varchar) as original_name,
        cast(period as varchar) as period,
        cast(rows_read as bigint) as rows_read,
        cast(rows_landed as bigint) as rows_landed,
        cast(rows_quarantined as bigint) as rows_quarantined,
        cast(landed_at as timestamp) as landed_at,
        -- Rows of the file a later version superseded (landed/_superseded/, any dataset).
        cast(rows_superseded as bigint) as rows_superseded
    from source

)

select * from final
