-- One row per agency code (its latest validity interval), with up to three successor steps, the end
-- of the chain, and the dates its series breaks: when it absorbed predecessors and when it ended.
with registry as (

    select * from stg_lake__agencies

),

latest as (

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
        row_number() over (partition by agency_code order by valid_from desc) as version_rank,
        min(valid_from) over (partition by agency_code) as first_valid_from
    from registry

),

units as (

    select * from latest where version_rank = 1

),

predecessors as (

    select
        successor_code as agency_code,
        count(*) as predecessor_count,
        array_join(array_agg(agency_code order by agency_code), ', ') as predecessor_codes,
        min(cast(valid_to + interval '1' day as date)) as absorbed_on
    from units
    where successor_code is not null and successor_code <> agency_code
    group by successor_code

),

chained as (

    select
        u.agency_code,
        u.agency_name,
        u.short_name,
        u.kind,
        u.parent_code,
        u.province_code,
        u.first_valid_from as valid_from,
        u.valid_to,
        u.successor_code,
        s1.valid_to as successor_1_valid_to,
        s1.successor_code as successor_2_code,
        s2.valid_to as successor_2_valid_to,
        s2.successor_code as successor_3_code,
        s3.valid_to as successor_3_valid_to
    from units as u
    left join units as s1 on s1.agency_code = u.successor_code
    left join units as s2 on s2.agency_code = s1.successor_code
    left join units as s3 on s3.agency_code = s2.successor_code

),

final as (

    select
        c.agency_code,
        c.agency_name,
        c.short_name,
        c.kind,
        c.parent_code,
        c.province_code,
        c.valid_from,
        c.valid_to,
        c.successor_code,
        c.successor_1_valid_to,
        c.successor_2_code,
        c.successor_2_valid_to,
        c.successor_3_code,
        c.successor_3_valid_to,
        coalesce(c.successor_3_code, c.successor_2_code, c.successor_code, c.agency_code) as final_successor_code,
        p.predecessor_codes,
        coalesce(p.predecessor_count, 0) as predecessor_count,
        p.absorbed_on,
        case when c.valid_to is not null then cast(c.valid_to + interval '1' day as date) end as ended_on
    from chained as c
    left join predecessors as p on p.agency_code = c.agency_code

)

select * from final
