-- Files a land rejected whole, none of whose rows reached the lake: the landing log and the quarantine
-- do not count them, so the figures of their periods are short until an operator retries the file
-- (after fixing what the error names) or discards it. `waiting`: nothing done yet; `discarded`: given up.
-- `reason` classes the land's error by its wording (functions/core/lake, functions/core/readers) for
-- readers that do not read English (the data-quality page names each class in Vietnamese); an error of
-- no known wording is `unreadable`. The reliability suite lands every file of its bad-input corpus and
-- requires a known class for each one rejected (test/reliability/bad-input.test.ts).
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
        case
            when error like '%password-protected%' then 'xlsx_password'
            when error like '%old Excel 97–2003 workbook%' then 'xlsx_legacy'
            when error like '%not a complete XLSX file%' then 'xlsx_incomplete'
            when error like '%not an XLSX file%' then 'not_xlsx'
            when error like '%not a dossier page of the portal API%' then 'not_api_page'
            when error like '%the file is UTF-16%' or error like '%neither UTF-8 nor Windows-1258%' then 'encoding'
            when error like '%the file is empty%' then 'empty_file'
            when error like '%not valid JSON%' then 'not_json'
            when error like '%unexpected columns%' then 'columns'
            when error like '%unexpected shape%' then 'unexpected_shape'
            when error like '%the CSV reader returned%' then 'records_mismatch'
            when error like '%the report period%is before%' then 'period_too_early'
            when error like '%has not ended by the land''s date%' then 'period_not_ended'
            when error like '%begins after the land''s date%' then 'period_in_future'
            when error like '%: no period: %' or error like '%is a year: a legacy 766 answer%' then 'period_missing'
            else 'unreadable'
        end as reason,
        error
    from rejected

)

select * from final
