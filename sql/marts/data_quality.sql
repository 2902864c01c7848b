with landing_log as (

    select * from stg_lake__landing_log

),

quarantine as (

    -- Keyed by the dataset its file is logged under: a PAR workbook is logged as `par`, and its
    -- rejected rows are quarantined under `par_totals` (the rows its accounting counts).
    select
        case when dataset = 'par_totals' then 'par' else dataset end as dataset,
        raw_hash,
        row_no,
        reason
    from stg_lake__quarantine

),

-- A Biểu 06 workbook's totals and band subtotals that differ from the sum of its unit rows: checks,
-- not rows (the unit rows land), one record per differing column, quarantined under bieu06_checks.
bieu06_checks as (

    select
        'bieu06' as dataset,
        raw_hash,
        count(*) as check_failures,
        array_join(array_agg(reason order by row_no, field), '; ') as check_findings
    from stg_lake__quarantine
    where dataset = 'bieu06_checks'
    group by raw_hash

),

dossier_files as (

    select * from stg_lake__dossier_files

),

latest_landing as (

    select
        l.*,
        row_number() over (partition by dataset, source, raw_hash order by landed_at desc) as recency,
        max(landed_at) over (partition by dataset) as dataset_last_landed_at
    from landing_log as l

),

reasons as (

    select
        dataset,
        raw_hash,
        reason,
        count(*) as n
    from quarantine
    group by dataset, raw_hash, reason

),

quarantine_by_file as (

    select
        r.dataset,
        r.raw_hash,
        array_join(array_agg(r.reason || ': ' || cast(r.n as varchar) order by r.reason), '; ') as quarantine_reasons
    from reasons as r
    group by r.dataset, r.raw_hash

),

quarantined_rows as (

    select
        dataset,
        raw_hash,
        count(distinct row_no) as quarantined_rows_found
    from quarantine
    group by dataset, raw_hash

),

dossier_freshness as (

    -- A file's rows may lie in several years of receipt.
    select
        raw_hash,
        max(newest_record_at) as newest_record_at,
        cast(sum(rows_current) as bigint) as rows_current
    from dossier_files
    group by raw_hash

),

final as (

    select
        l.dataset,
        l.source,
        l.raw_hash,
        l.original_name,
        l.period,
        l.rows_read,
        l.rows_landed,
        l.rows_quarantined,
        coalesce(qr.quarantined_rows_found, 0) as quarantined_rows_found,
        q.quarantine_reasons,
        coalesce(c.check_failures, 0) as check_failures,
        c.check_findings,
        l.landed_at,
        l.dataset_last_landed_at,
        case when l.dataset = 'dossiers' then f.newest_record_at end as newest_record_at,
        -- A row landed from this file may since have been replaced by a newer version from a later
        -- file (a dossier's status update; a corrected Biểu 06, PAR or 766 file): landed = current +
        -- superseded. Dossiers are counted in the lake itself (their current rows); the other
        -- datasets by the landing log (their rows in landed/_superseded/).
        case when l.dataset = 'dossiers' then coalesce(f.rows_current, 0) else l.rows_landed - l.rows_superseded end as rows_current,
        case when l.dataset = 'dossiers' then l.rows_landed - coalesce(f.rows_current, 0) else l.rows_superseded end as rows_superseded,
        cast(l.rows_quarantined as double) / nullif(l.rows_read, 0) as quarantine_rate
    from latest_landing as l
    left join quarantine_by_file as q on q.dataset = l.dataset and q.raw_hash = l.raw_hash
    left join quarantined_rows as qr on qr.dataset = l.dataset and qr.raw_hash = l.raw_hash
    left join bieu06_checks as c on c.dataset = l.dataset and c.raw_hash = l.raw_hash
    left join dossier_freshness as f on f.raw_hash = l.raw_hash
    where l.recency = 1

)

select * from final
