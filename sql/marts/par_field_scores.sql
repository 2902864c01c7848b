with fields as (

    select * from stg_lake__par_fields

),

keyed as (

    select
        coalesce(agency_code, agency_name) as unit_key,
        f.*,
        f.appraised_points / nullif(f.max_points, 0) as score_ratio
    from fields as f

),

final as (

    select
        cur.unit_key,
        cur.year,
        cur.field_no,
        cur.agency_code,
        cur.agency_name,
        cur.field_name,
        cur.max_points,
        cur.self_points,
        cur.appraised_points,
        cur.score_ratio,
        cur.self_points / nullif(cur.max_points, 0) as self_ratio,
        cur.appraised_points - cur.self_points as appraisal_gap,
        prev.score_ratio as prev_score_ratio,
        cur.score_ratio - prev.score_ratio as score_ratio_change
    from keyed as cur
    left join keyed as prev
        on prev.unit_key = cur.unit_key
        and prev.year = cur.year - 1
        and prev.field_name = cur.field_name

)

select * from final
