with source as (

    select * from src_dossiers

),

final as (

    select
        cast(dossier_id as varchar) as dossier_id,
        cast(source as varchar) as source,
        cast(procedure_code as varchar) as procedure_code,
        cast(agency_code as varchar) as agency_code,
        cast(channel as integer) as channel,
        cast(received_at as timestamp) as received_at,
        cast(due_at as timestamp) as due_at,
        cast(finished_at as timestamp) as finished_at,
        cast(status as varchar) as status,
        cast(supplement_days as integer) as supplement_days,
        cast(is_fee_bearing as boolean) as is_fee_bearing,
        cast(is_paid_online as boolean) as is_paid_online,
        cast(is_digitised as boolean) as is_digitised,
        cast(has_e_result as boolean) as has_e_result,
        cast(is_synced as boolean) as is_synced,
        cast(has_complaint as boolean) as has_complaint,
        cast(updated_at as timestamp) as updated_at,
        cast(raw_hash as varchar) as raw_hash,
        cast(raw_row as bigint) as raw_row
    from source

)

select * from final
