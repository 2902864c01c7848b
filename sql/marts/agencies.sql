with chained as (

    select * from int_agencies_chained

),

final as (

    select
        agency_code,
        agency_name,
        short_name,
        kind,
        parent_code,
        province_code,
        valid_from,
        valid_to,
        successor_code,
        final_successor_code,
        predecessor_codes,
        predecessor_count,
        coalesce(ended_on, absorbed_on, case when predecessor_count > 0 then valid_from end) as break_date,
        -- A unit formed in 2025 and merged again later has two breaks: the day it took in its predecessors
        -- (the reports' merger footnotes, "kế thừa") and the day it ended.
        coalesce(absorbed_on, case when predecessor_count > 0 then valid_from end) as formed_on,
        ended_on,
        valid_to is null as is_current
    from chained

)

select * from final
