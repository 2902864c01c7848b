with totals as (

    select * from stg_lake__par_totals

),

agencies as (

    select * from int_agencies_chained

),

keyed as (

    select
        coalesce(agency_code, agency_name) as unit_key,
        t.*,
        count(*) over (partition by year) as units_ranked
    from totals as t

),

final as (

    select
        cur.unit_key,
        cur.year,
        cur.agency_code,
        cur.agency_name,
        cur.appraised_points,
        cur.appraised_max,
        cur.survey_points,
        cur.survey_max,
        cur.total_points,
        cur.total_max,
        cur.total_points / nullif(cur.total_max, 0) as total_ratio,
        cur.rank,
        cur.units_ranked,
        cur.band,
        prev.total_points as prev_total_points,
        round(cur.total_points - prev.total_points, 2) as score_change,
        cur.total_points / nullif(cur.total_max, 0) - prev.total_points / nullif(prev.total_max, 0) as total_ratio_change,
        prev.rank as prev_rank,
        prev.rank - cur.rank as rank_change,
        prev.unit_key is null as is_new_unit,
        coalesce(year(a.absorbed_on) = cur.year or year(a.ended_on) = cur.year, false) as is_merged
    from keyed as cur
    left join keyed as prev
        on prev.unit_key = cur.unit_key
        and prev.year = cur.year - 1
    left join agencies as a on a.agency_code = cur.agency_code

)

select * from final
