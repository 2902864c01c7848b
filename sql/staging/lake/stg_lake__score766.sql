with source as (

    select * from src_score766

),

final as (

    select
        cast(dataset_label as varchar) as dataset_label,
        cast(province_code as varchar) as province_code,
        cast(period_type as varchar) as period_type,
        cast(year as integer) as year,
        cast(period_no as integer) as period_no,
        cast(as_of as date) as as_of,
        cast(unit_id as varchar) as unit_id,
        cast(unit_name as varchar) as unit_name,
        cast(unit_code as varchar) as unit_code,
        cast(agency_code as varchar) as agency_code,
        cast(unit_group as varchar) as unit_group,
        cast(score_ckmb as double) as score_ckmb,
        cast(score_tdgq as double) as score_tdgq,
        cast(score_clgq as double) as score_clgq,
        cast(score_tttt as double) as score_tttt,
        cast(score_mdhl as double) as score_mdhl,
        cast(score_mdsh as double) as score_mdsh,
        cast(score_total as double) as score_total,
        cast(rank as integer) as rank,
        cast(group_rank as integer) as group_rank,
        cast(units_total as integer) as units_total,
        cast(group_units as integer) as group_units
    from source

)

select * from final
