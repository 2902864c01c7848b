with source as (

    select * from src_rejected_files

),

final as (

    select
        cast(raw_kind as varchar) as raw_kind,
        cast(source as varchar) as source,
        cast(dataset as varchar) as dataset,
        cast(raw_hash as varchar) as raw_hash,
        cast(original_name as varchar) as original_name,
        cast(period as varchar) as period,
        cast(bytes as bigint) as bytes,
        cast(pulled_at as timestamp) as pulled_at,
        cast(rejected_at as timestamp) as rejected_at,
        cast(discarded_at as timestamp) as discarded_at,
        cast(error as varchar) as error,
        -- the class the land recorded (null for a file rejected before it recorded classes)
        cast(reason as varchar) as recorded_reason
    from source

)

select * from final
