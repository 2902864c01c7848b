-- Landing (DuckDB only): validate parsed dossiers. The runner provides `parsed` (one of the
-- dossiers_*.sql files over one or more raw files of one kind, as `landing_parsed`, with `file_no`: the
-- file's place in landing order; rows of different files never meet in the per-file rules),
-- `ref_agencies`, `ref_procedures` (the landed registry; the runner refuses to land dossiers before
-- one is landed, so the code checks always run), `ref_dossier_ids` (dossier_id, source, year,
-- month of every dossier already landed or in this batch) and `landing_params`
-- (max_at: the newest plausible timestamp, the landing's "now + 1 day"; earliest_year: the first year of
-- receipt the lake accepts, datasets.ts's EARLIEST_RECEIPT_YEAR, and earliest_at its 1 January 00:00). The first failing rule names the field and the reason;
-- a row with no reason lands, every other row goes to quarantine. Nothing is dropped.
-- The rules are those of docs/data-contracts.md §1.1 (listed there under "Enforced at landing").
-- The row as read (`raw_record`) and the fields as read (`*_raw`) are not carried through the checks:
-- the checks keep only whether a field was blank (`*_blank`), and dossiers_failed.sql takes the failing
-- field's value and the row from `landing_parsed` for the failing rows only (carried through the
-- checks' materialised steps, the row cost two thirds of this statement, bench/history.md, change 29;
-- the fields, a quarter of what was left, change 58).
with parsed as (
    select * from landing_parsed
),

params as (
    select * from landing_params
),

agencies as (
    select agency_code, min(valid_from) as valid_from, max(coalesce(valid_to, DATE '9999-12-31')) as valid_to
    from ref_agencies
    group by agency_code
),

procedures as (
    select procedure_code, bool_or(is_fee_bearing) as is_fee_bearing
    from ref_procedures
    group by procedure_code
),

-- Id-like codes, the same for every source: NFC (done by the parsers), then every Unicode space,
-- control and format character at either end removed (CR/LF, tab, NBSP, zero-width space, ZWNJ/ZWJ,
-- BOM, U+2028/2029, ideographic space…), so "A1\r" or "A1" + U+200B is the dossier A1. What is still
-- inside is checked below. A source's id prefix (NSW-) goes before the cleaned number.
screened as (
    select
        parsed.*,
        -- the usual id is printable ASCII without spaces: nothing to clean (and no regexp_extract to pay)
        regexp_full_match(coalesce(dossier_id_raw, ''), '[!-~]*') as dossier_id_plain,
        regexp_full_match(coalesce(procedure_code_raw, ''), '[!-~]*') as procedure_code_plain,
        regexp_full_match(coalesce(agency_code_raw, ''), '[!-~]*') as agency_code_plain
    from parsed
),

cleaned as (
    select
        screened.*,
        case
            when dossier_id_plain then coalesce(dossier_id_raw, '')
            else regexp_extract(coalesce(dossier_id_raw, ''), '(?s)^[\p{Z}\p{Cc}\p{Cf}]*(.*?)[\p{Z}\p{Cc}\p{Cf}]*$', 1)
        end as dossier_id_core,
        case
            when procedure_code_plain then coalesce(procedure_code_raw, '')
            else regexp_extract(coalesce(procedure_code_raw, ''), '(?s)^[\p{Z}\p{Cc}\p{Cf}]*(.*?)[\p{Z}\p{Cc}\p{Cf}]*$', 1)
        end as procedure_code_core,
        case
            when agency_code_plain then coalesce(agency_code_raw, '')
            else regexp_extract(coalesce(agency_code_raw, ''), '(?s)^[\p{Z}\p{Cc}\p{Cf}]*(.*?)[\p{Z}\p{Cc}\p{Cf}]*$', 1)
        end as agency_code_core
    from screened
),

coded as (
    select
        cleaned.file_no,
        cleaned.row_no,
        cleaned.source,
        coalesce(cleaned.channel_raw, '') = '' as channel_blank,
        coalesce(cleaned.received_at_raw, '') = '' as received_at_blank,
        coalesce(cleaned.due_at_raw, '') = '' as due_at_blank,
        coalesce(cleaned.finished_at_raw, '') = '' as finished_at_blank,
        coalesce(cleaned.status_raw, '') = '' as status_blank,
        coalesce(cleaned.updated_at_raw, '') = '' as updated_at_blank,
        coalesce(cleaned.returned_at_raw, '') = '' as returned_at_blank,
        coalesce(cleaned.supplement_requested_at_raw, '') = '' as supplement_requested_at_blank,
        coalesce(cleaned.supplement_received_at_raw, '') = '' as supplement_received_at_blank,
        coalesce(cleaned.due_at_reset_raw, '') = '' as due_at_reset_blank,
        coalesce(cleaned.result_type_raw, '') = '' as result_type_blank,
        coalesce(cleaned.deleted_at_raw, '') = '' as deleted_at_blank,
        cleaned.due_at_optional,
        case when cleaned.dossier_id_core <> '' then cleaned.dossier_id_prefix || cleaned.dossier_id_core end as dossier_id,
        nullif(cleaned.procedure_code_core, '') as procedure_code,
        nullif(cleaned.agency_code_core, '') as agency_code,
        -- 'control' (line break, tab…) or 'invisible' (format characters, spaces other than U+0020)
        -- left inside a code once its ends are cleaned
        case
            when cleaned.dossier_id_plain then CAST(NULL AS VARCHAR)
            when regexp_full_match(cleaned.dossier_id_core, '(?s).*\p{Cc}.*') then 'control'
            when regexp_full_match(cleaned.dossier_id_core, '(?s).*[\p{Cf}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}].*') then 'invisible'
        end as dossier_id_junk,
        case
            when cleaned.procedure_code_plain then CAST(NULL AS VARCHAR)
            when regexp_full_match(cleaned.procedure_code_core, '(?s).*\p{Cc}.*') then 'control'
            when regexp_full_match(cleaned.procedure_code_core, '(?s).*[\p{Cf}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}].*') then 'invisible'
        end as procedure_code_junk,
        case
            when cleaned.agency_code_plain then CAST(NULL AS VARCHAR)
            when regexp_full_match(cleaned.agency_code_core, '(?s).*\p{Cc}.*') then 'control'
            when regexp_full_match(cleaned.agency_code_core, '(?s).*[\p{Cf}\p{Zl}\p{Zp}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}].*') then 'invisible'
        end as agency_code_junk,
        cleaned.channel,
        cleaned.received_at,
        cleaned.due_at,
        cleaned.finished_at,
        cleaned.status,
        cleaned.supplement_days,
        -- NSW exports carry no fee flag: the catalogue's (NSW procedures are fee-bearing)
        case
            when cleaned.is_fee_bearing_from_catalogue then coalesce(procedures.is_fee_bearing, true)
            else cleaned.is_fee_bearing
        end as is_fee_bearing,
        cleaned.is_paid_online,
        cleaned.is_digitised,
        cleaned.has_e_result,
        cleaned.is_synced,
        cleaned.has_complaint,
        cleaned.updated_at,
        cleaned.returned_at,
        cleaned.supplement_requested_at,
        cleaned.supplement_received_at,
        cleaned.due_at_reset,
        cleaned.result_type,
        cleaned.deleted_at
    from cleaned
    left join procedures on procedures.procedure_code = nullif(cleaned.procedure_code_core, '')
),

-- A dossier id lives in exactly one partition (source, year and month of receipt). Another version
-- of it in the same partition is deduplicated there (the newest wins); one that would land in a
-- different partition is quarantined, so the id never appears twice in the lake.
landed_ids as (
    select dossier_id, min(source) as source, min(year * 100 + month) as year_month
    from ref_dossier_ids
    where dossier_id in (select dossier_id from coded)
    group by dossier_id
),

-- The ids seen more than once among this run's rows (in one file or in several). Only their rows can
-- be a duplicate in a file or meet an earlier file of the run (first_landing): an id seen once is no
-- duplicate, and no other file places it. One grouping of the ids, and the two below
-- (id_first_rows, first_landing) over these few ids only: each over every id cost as much as this one
-- (bench/history.md, change 83).
repeated_ids as (
    select dossier_id
    from coded
    where dossier_id is not null
    group by dossier_id
    having count(*) > 1
),

-- The first row of each repeated id in its file (row numbers are unique within a file): a later row
-- with the same id is a duplicate. (A grouped join, not a window over file and id: with one partition
-- per id, the window cost most of this statement; bench/history.md, change 15.)
id_first_rows as (
    select file_no, dossier_id, min(row_no) as id_first_row
    from coded
    where dossier_id in (select dossier_id from repeated_ids)
    group by file_no, dossier_id
),

ranked as (
    select
        coded.*,
        -- Null for an id seen once: it is no duplicate, and places no other row.
        id_first_rows.id_first_row,
        agencies.agency_code is not null as agency_known,
        agencies.valid_from as agency_valid_from,
        agencies.valid_to as agency_valid_to,
        procedures.procedure_code is not null as procedure_known,
        landed_ids.source as landed_source,
        landed_ids.year_month as landed_year_month
    from coded
    left join agencies on agencies.agency_code = coded.agency_code
    left join procedures on procedures.procedure_code = coded.procedure_code
    left join landed_ids on landed_ids.dossier_id = coded.dossier_id
    left join id_first_rows on id_first_rows.file_no = coded.file_no and id_first_rows.dossier_id = coded.dossier_id
),

based as (
    select
        ranked.*,
        case
            when dossier_id is null then 'dossier_id|missing value'
            when dossier_id_junk = 'control' then 'dossier_id|holds a control character (line break, tab…) inside the id'
            when dossier_id_junk = 'invisible' then 'dossier_id|holds an invisible character (zero-width or non-breaking space…) inside the id'
            when length(dossier_id) > 64 then 'dossier_id|longer than 64 characters'
            when source = 'portal' and starts_with(dossier_id, 'NSW-')
                then 'dossier_id|starts with NSW-, the prefix the pipeline gives National Single Window dossiers: a portal record cannot use it'
            when procedure_code is null then 'procedure_code|missing value'
            when procedure_code_junk = 'control' then 'procedure_code|holds a control character (line break, tab…) inside the code'
            when procedure_code_junk = 'invisible' then 'procedure_code|holds an invisible character (zero-width or non-breaking space…) inside the code'
            when length(procedure_code) > 32 then 'procedure_code|longer than 32 characters'
            when agency_code is null then 'agency_code|missing value'
            when agency_code_junk = 'control' then 'agency_code|holds a control character (line break, tab…) inside the code'
            when agency_code_junk = 'invisible' then 'agency_code|holds an invisible character (zero-width or non-breaking space…) inside the code'
            when length(agency_code) > 32 then 'agency_code|longer than 32 characters'
            when channel_blank then 'channel|missing value'
            when channel is null or channel not in (1, 2, 3) then 'channel|not one of 1 (in person), 2 (online), 3 (postal)'
            when received_at_blank then 'received_at|missing value'
            when received_at is null then 'received_at|not a valid date and time'
            -- an empty due date is a procedure without one only where the source says so (a profile)
            when due_at_blank and not due_at_optional then 'due_at|missing value'
            when not due_at_blank and due_at is null then 'due_at|not a valid date and time'
            when not finished_at_blank and finished_at is null then 'finished_at|not a valid date and time'
            when status is null and status_blank then 'status|missing value'
            when status is null or status not in (
                'DANG_XU_LY', 'CHO_BO_SUNG', 'DA_TRA_KET_QUA', 'DA_RUT', 'TU_CHOI',
                'CHUA_TIEP_NHAN', 'TU_CHOI_TIEP_NHAN', 'DUNG_XU_LY', 'CHO_THANH_TOAN', 'DA_XU_LY'
            ) then 'status|unknown status'
            when supplement_days is null then 'supplement_days|not a whole number'
            when supplement_days < 0 then 'supplement_days|negative'
            when supplement_days > 3650 then 'supplement_days|more than 3650 days (ten years): outside the contract''s 0–3650'
            when is_fee_bearing is null then 'is_fee_bearing|not a yes/no value'
            when is_paid_online is null then 'is_paid_online|not a yes/no value'
            when is_digitised is null then 'is_digitised|not a yes/no value'
            when has_e_result is null then 'has_e_result|not a yes/no value'
            when is_synced is null then 'is_synced|not a yes/no value'
            when has_complaint is null then 'has_complaint|not a yes/no value'
            when updated_at_blank then 'updated_at|missing value'
            when updated_at is null then 'updated_at|not a valid date and time'
            when not returned_at_blank and returned_at is null then 'returned_at|not a valid date and time'
            when not supplement_requested_at_blank and supplement_requested_at is null then 'supplement_requested_at|not a valid date and time'
            when not supplement_received_at_blank and supplement_received_at is null then 'supplement_received_at|not a valid date and time'
            when not due_at_reset_blank and due_at_reset is null then 'due_at_reset|not a valid date and time'
            when not result_type_blank and result_type is null then 'result_type|not one of KET_QUA (result), TRA_LAI (returned), XIN_LOI (apology letter)'
            when not deleted_at_blank and deleted_at is null then 'deleted_at|not a valid date and time'
            when received_at < (select earliest_at from params) then 'received_at|before ' || CAST((select earliest_year from params) AS VARCHAR)
            when received_at > (select max_at from params) then 'received_at|in the future'
            when finished_at > (select max_at from params) then 'finished_at|in the future'
            when updated_at > (select max_at from params) then 'updated_at|in the future'
            when returned_at > (select max_at from params) then 'returned_at|in the future'
            when finished_at < received_at then 'finished_at|finished before received'
            when due_at < received_at then 'due_at|due before received'
            when updated_at < received_at then 'updated_at|last updated before the dossier was received'
            when updated_at < finished_at then 'updated_at|last updated before the dossier was finished'
            when returned_at < coalesce(finished_at, received_at) then 'returned_at|result handed over before the processing finished'
            when supplement_received_at < supplement_requested_at then 'supplement_received_at|supplements received before they were requested'
            when status <> 'TU_CHOI_TIEP_NHAN'
                and (status in ('DA_TRA_KET_QUA', 'DA_RUT', 'TU_CHOI', 'DA_XU_LY')) <> (finished_at is not null)
                then 'status|status disagrees with finished_at'
            when is_paid_online and not is_fee_bearing then 'is_paid_online|paid online but not fee-bearing'
            when not agency_known then 'agency_code|unknown agency code'
            when CAST(received_at AS DATE) < agency_valid_from or CAST(received_at AS DATE) > agency_valid_to
                then 'agency_code|agency did not exist on the received date'
            when not procedure_known then 'procedure_code|unknown procedure code'
        end as base_failure
    from ranked
),

-- Files landed before this one in the same run count as landed: the first of them whose first
-- occurrence of an id passes every other rule places the id (when it was not in the lake yet).
first_landing as (
    select
        dossier_id,
        min(file_no) as file_no,
        min_by(source, file_no) as source,
        min_by(year(received_at) * 100 + month(received_at), file_no) as year_month
    from based
    -- (Repeated ids only: an id seen once has no id_first_row, and places no other row of the run.)
    where base_failure is null and row_no = id_first_row and landed_year_month is null
    group by dossier_id
),

placed as (
    select
        based.*,
        coalesce(based.landed_source, case when first_landing.file_no < based.file_no then first_landing.source end) as placed_source,
        coalesce(based.landed_year_month, case when first_landing.file_no < based.file_no then first_landing.year_month end) as placed_year_month
    from based
    left join first_landing on first_landing.dossier_id = based.dossier_id
),

checked as (
    select
        placed.*,
        case
            when base_failure is not null then base_failure
            when placed_year_month is not null
                and (placed_source <> source or placed_year_month <> year(received_at) * 100 + month(received_at))
                then 'dossier_id|already landed under source ' || placed_source || ', received '
                    || CAST(CAST(floor(placed_year_month / 100) AS INTEGER) AS VARCHAR) || '-' || lpad(CAST(placed_year_month % 100 AS VARCHAR), 2, '0')
                    || ' (a dossier keeps its source and month of receipt)'
            when row_no > id_first_row then 'dossier_id|duplicate dossier id in the file (first at row ' || CAST(id_first_row AS VARCHAR) || ')'
        end as failure
    from placed
),

final as (
    select
        file_no,
        row_no,
        split_part(failure, '|', 1) as failed_field,
        substr(failure, strpos(failure, '|') + 1) as failed_reason,
        failure is null as is_valid,
        dossier_id,
        source,
        procedure_code,
        agency_code,
        channel,
        received_at,
        due_at,
        finished_at,
        status,
        supplement_days,
        is_fee_bearing,
        is_paid_online,
        is_digitised,
        has_e_result,
        is_synced,
        has_complaint,
        updated_at,
        returned_at,
        supplement_requested_at,
        supplement_received_at,
        due_at_reset,
        result_type,
        deleted_at
    from checked
)

select * from final
