with summed as (

    select * from province_periods

),

final as (

    select * from summed where period_type = 'year'

)

select * from final
