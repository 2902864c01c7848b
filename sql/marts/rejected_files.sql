-- Files a land rejected whole, none of whose rows reached the lake: the landing log and the quarantine
-- do not count them, so the figures of their periods are short until an operator retries the file
-- (after fixing what the error names) or discards it. `waiting`: nothing done yet; `discarded`: given up.
-- `reason` is the error's class, for readers that do not read English (the data-quality page names each
-- class in Vietnamese): the one the land recorded with the file (functions/core/errors.ts, REJECT_REASONS;
-- every error a land rejects a file for names one, test/unit/reject-reasons.test.ts). A file rejected
-- before the land recorded classes has none, and is classed by its error's wording; an error of no known
-- wording is `unreadable`. The reliability suite lands every file of its bad-input corpus and requires,
-- for each one rejected, the class the case names (test/reliability/bad-input.test.ts).
with rejected as (

    -- The error without the file's own name, which a sender chose and which must not decide the class.
    select *, replace(error, original_name, '') as said
    from stg_lake__rejected_files

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
        -- the recorded class; else (a record from before classes were recorded) the wording's
        case
            when recorded_reason is not null then recorded_reason
            when said like '%the workbook is password-protected%' then 'xlsx_password'
            when said like '%old Excel 97–2003 workbook%' then 'xlsx_legacy'
            when said like '%not a complete XLSX file%' or said like '%zip directory is damaged%' or said like '%the zip part % is damaged%' then 'xlsx_incomplete'
            when said like '%not an XLSX file%' then 'not_xlsx'
            when said like '%not a dossier page of the portal API%' then 'not_api_page'
            when said like '%the file is UTF-16%' or said like '%neither UTF-8 nor Windows-1258%' or said like '%not valid UTF-8%' then 'encoding'
            when said like '%the file is empty%' then 'empty_file'
            when said like '%not valid JSON%' then 'not_json'
            when said like '%unexpected columns%' or said like '%the header does not match%' then 'columns'
            when said like '%unexpected shape%' then 'unexpected_shape'
            when said like '%the CSV reader returned%' then 'records_mismatch'
            when said like '%cannot be read as CSV%' or said like '%quoted field is not closed%' then 'not_csv'
            when said like '%the report period%is before%' then 'period_too_early'
            when said like '%has not ended by the land''s date%' then 'period_not_ended'
            when said like '%begins after the land''s date%' then 'period_in_future'
            when said like '%no period: %' or said like '%is a year: a legacy 766 answer%' then 'period_missing'
            else 'unreadable'
        end as reason,
        error
    from rejected

)

select * from final
