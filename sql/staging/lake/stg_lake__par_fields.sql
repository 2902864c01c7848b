with source as (

    select * from src_par_fields

),

final as (

    select
        cast(year as integer) as year,
        cast(agency_code as varchar) as agency_code,
        cast(agency_name as varchar) as agency_name,
        cast(field_no as integer) as field_no,
        cast(field_name as varchar) as field_name,
        cast(max_points as double) as max_points,
        cast(self_points as double) as self_points,
        cast(appraised_points as double) as appraised_points
    from source

)

select * from final
