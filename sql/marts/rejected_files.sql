-- Files a land rejected whole, none of whose rows reached the lake: the landing log and the quarantine
-- do not count them, so the figures of their periods are short until an operator retries the file
-- (after fixing what the error names) or discards it. `waiting`: nothing done yet; `discarded`: given up.
with rejected as (

    select * from stg_lake__rejected_files

),

final as (

    select
        raw_kind,
        dataset,
        source,
        raw_hash,
        original_name,
        period,
        bytes,
        pulled_at,
        rejected_at,
        case when discarded_at is null then 'waiting' else 'discarded' end as status,
        discarded_at,
        error
    from rejected

)

select * from final
