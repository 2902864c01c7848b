with source as (

    select * from src_par_totals

),

final as (

    select
        cast(year as integer) as year,
        cast(agency_code as varchar) as agency_code,
        cast(agency_name as varchar) as agency_name,
        cast(appraised_points as double) as appraised_points,
        cast(appraised_max as double) as appraised_max,
        cast(survey_points as double) as survey_points,
        cast(survey_max as double) as survey_max,
        cast(total_points as double) as total_points,
        cast(total_max as double) as total_max,
        cast(rank as integer) as rank,
        cast(band as varchar) as band
    from source

)

select * from final
