with source as (

    select * from src_quarantine

),

final as (

    select
        cast(dataset as varchar) as dataset,
        cast(source as varchar) as source,
        cast(raw_hash as varchar) as raw_hash,
        cast(source_file as varchar) as source_file,
        cast(row_no as bigint) as row_no,
        cast(field as varchar) as field,
        cast(reason as varchar) as reason,
        cast(raw_value as varchar) as raw_value,
        cast(year as integer) as year,
        cast(month as integer) as month
    from source

)

select * from final
