-- Per reporting agency and year: the catalogue it holds at the year end (procedure_catalogue) as
-- counts and shares over every procedure held, online (partial or full) and full online ("toàn
-- trình"), the same shares over the procedures that had dossiers (what procedure_years alone can
-- say), and the agency's processing-time cut. Every unit valid at the year end has a row, procedures
-- or not (the province's People's Committee is the reporting level, not a unit).
with catalogue as (

    select * from procedure_catalogue

),

periods as (

    select * from int_periods_reported

),

agencies as (

    select * from int_agencies_chained

),

scaffold as (

    select
        a.agency_code,
        p.year
    from periods as p
    inner join agencies as a
        on a.valid_from <= p.period_end
        and (a.valid_to is null or a.valid_to >= p.period_end)
    where p.period_type = 'year'
      and a.kind <> 'ubnd_tinh'

),

counted as (

    select
        agency_code,
        year,
        count(*) as procedures_total,
        count_if(is_online) as procedures_online,
        count_if(is_full_online) as procedures_full_online,
        count_if(is_partial_online) as procedures_partial_online,
        count_if(is_fee_bearing) as procedures_fee_bearing,
        count_if(is_nsw) as procedures_nsw,
        count_if(has_dossiers) as procedures_with_dossiers,
        count_if(has_dossiers and is_online) as procedures_online_with_dossiers,
        count_if(has_dossiers and is_full_online) as procedures_full_online_with_dossiers,
        count_if(has_postal_dossiers) as procedures_with_postal_dossiers,
        count_if(is_time_cut) as procedures_time_cut,
        -- cast: DuckDB sums into a HUGEINT (stored as DOUBLE in Parquet); Trino's sum of integers is a BIGINT.
        cast(sum(statutory_days) as bigint) as statutory_days_total,
        cast(sum(original_statutory_days) as bigint) as original_statutory_days_total,
        avg(processing_time_cut) as processing_time_cut_avg
    from catalogue
    group by agency_code, year

),

-- A procedure held by a code missing from the registry (or by the province itself) keeps its row:
-- nothing in the catalogue is dropped.
keyed as (

    select
        coalesce(s.agency_code, c.agency_code) as agency_code,
        coalesce(s.year, c.year) as year,
        c.procedures_total,
        c.procedures_online,
        c.procedures_full_online,
        c.procedures_partial_online,
        c.procedures_fee_bearing,
        c.procedures_nsw,
        c.procedures_with_dossiers,
        c.procedures_online_with_dossiers,
        c.procedures_full_online_with_dossiers,
        c.procedures_with_postal_dossiers,
        c.procedures_time_cut,
        c.statutory_days_total,
        c.original_statutory_days_total,
        c.processing_time_cut_avg
    from scaffold as s
    full outer join counted as c
        on c.agency_code = s.agency_code
        and c.year = s.year

),

final as (

    select
        c.agency_code,
        a.agency_name,
        a.short_name as agency_short_name,
        a.province_code,
        c.year,
        'Năm ' || cast(c.year as varchar) as period_label,
        coalesce(c.procedures_total, 0) as procedures_total,
        coalesce(c.procedures_online, 0) as procedures_online,
        coalesce(c.procedures_full_online, 0) as procedures_full_online,
        coalesce(c.procedures_partial_online, 0) as procedures_partial_online,
        coalesce(c.procedures_total, 0) - coalesce(c.procedures_online, 0) as procedures_offline_only,
        coalesce(c.procedures_fee_bearing, 0) as procedures_fee_bearing,
        coalesce(c.procedures_nsw, 0) as procedures_nsw,
        coalesce(c.procedures_with_dossiers, 0) as procedures_with_dossiers,
        coalesce(c.procedures_with_postal_dossiers, 0) as procedures_with_postal_dossiers,
        cast(c.procedures_online as double) / nullif(c.procedures_total, 0) as online_share,
        cast(c.procedures_full_online as double) / nullif(c.procedures_total, 0) as full_online_share,
        cast(c.procedures_online_with_dossiers as double) / nullif(c.procedures_with_dossiers, 0) as online_share_with_dossiers,
        cast(c.procedures_full_online_with_dossiers as double) / nullif(c.procedures_with_dossiers, 0) as full_online_share_with_dossiers,
        coalesce(c.procedures_time_cut, 0) as procedures_time_cut,
        c.statutory_days_total,
        c.original_statutory_days_total,
        c.processing_time_cut_avg,
        1 - cast(c.statutory_days_total as double) / nullif(c.original_statutory_days_total, 0) as processing_time_cut_total
    from keyed as c
    left join agencies as a on a.agency_code = c.agency_code

)

select * from final
