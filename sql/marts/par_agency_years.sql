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

joined as (

    select
        cur.*,
        prev.unit_key as prev_unit_key,
        prev.total_points as prev_total_points,
        prev.total_max as prev_total_max,
        prev.rank as prev_rank,
        prev.units_ranked as prev_units_ranked,
        coalesce(year(a.absorbed_on) = cur.year or year(a.ended_on) = cur.year, false) as is_merged
    from keyed as cur
    left join keyed as prev
        on prev.unit_key = cur.unit_key
        and prev.year = cur.year - 1
    left join agencies as a on a.agency_code = cur.agency_code

),

-- A change is quoted as the reports quote it (83,45 after 85,37 → −1,92; rank 13 after 6 → −7), but only
-- where the two years compare: a unit that absorbed others or ended within the year is not the unit of the
-- year before (its points and rank changes are left empty, as the series breaks elsewhere), and a rank
-- among another number of units is another scale (18 units ranked in 2024, 13 after the 2025 mergers:
-- the last unit of both years would read five places up).
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
        cur.prev_total_points,
        case when not cur.is_merged then round(cur.total_points - cur.prev_total_points, 2) end as score_change,
        case
            when not cur.is_merged
                then cur.total_points / nullif(cur.total_max, 0) - cur.prev_total_points / nullif(cur.prev_total_max, 0)
        end as total_ratio_change,
        cur.prev_rank,
        case when not cur.is_merged and cur.units_ranked = cur.prev_units_ranked then cur.prev_rank - cur.rank end as rank_change,
        cur.prev_unit_key is null as is_new_unit,
        cur.is_merged
    from joined as cur

)

select * from final
