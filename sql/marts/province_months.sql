with summed as (

    select * from province_periods

),

final as (

    select * from summed where period_type = 'month'

)

select * from final
