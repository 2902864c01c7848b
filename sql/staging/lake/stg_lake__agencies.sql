with source as (

    select * from src_agencies

),

final as (

    select
        cast(agency_code as varchar) as agency_code,
        cast(name as varchar) as agency_name,
        cast(short_name as varchar) as short_name,
        cast(kind as varchar) as kind,
        cast(parent_code as varchar) as parent_code,
        cast(province_code as varchar) as province_code,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(successor_code as varchar) as successor_code
    from source

)

select * from final
