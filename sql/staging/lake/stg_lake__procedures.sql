with source as (

    select * from src_procedures

),

final as (

    select
        cast(procedure_code as varchar) as procedure_code,
        cast(name as varchar) as procedure_name,
        cast(field as varchar) as field,
        cast(agency_code as varchar) as agency_code,
        cast(online_level as varchar) as online_level,
        cast(is_fee_bearing as boolean) as is_fee_bearing,
        cast(is_nsw as boolean) as is_nsw,
        cast(statutory_days as integer) as statutory_days,
        cast(original_statutory_days as integer) as original_statutory_days
    from source

)

select * from final
