-- Landing (DuckDB only): a vendor export read through its mapping profile (docs/data-contracts.md §2.9).
-- The runner (functions/core/profiles/load.ts) provides `profile_raw` (file_no, row_no, raw_record and one
-- VARCHAR <field>_src per canonical field, null when the profile maps no column to it), `profile_files`
-- (the profile's parameters per file: dates 'dmy' / 'ymd', due_kind 'original' / 'reset', due_optional,
-- status_from_dates, default_channel, default_fee, mapped: the fields that have a column) and
-- `profile_codes` (file_no, field, folded code, canonical value). The values are mapped here; the
-- output has the columns of the other dossiers_*.sql parsers, so dossiers_checked.sql checks and
-- quarantines them the same way (an unknown code is a present raw value that maps to nothing).
-- Codes and names are matched folded: NFC, đ → d, no diacritics, lower case, spaces collapsed.
with raw as (
    select * from profile_raw
),

files as (
    select * from profile_files
),

codes as (
    select * from profile_codes
),

procedure_names as (
    select @FOLD_NAME@ as name_key, min(procedure_code) as procedure_code
    from ref_procedures
    group by 1
),

agency_names as (
    select name_key, min(agency_code) as agency_code
    from (
        select @FOLD_NAME@ as name_key, agency_code from ref_agencies
        union all
        select @FOLD_SHORT@ as name_key, agency_code from ref_agencies
    ) as n
    group by name_key
),

keyed as (
    select
        raw.*,
        files.source,
        files.id_prefix,
        files.dates,
        files.due_kind,
        files.due_optional,
        files.status_from_dates,
        files.default_channel,
        files.default_fee,
        files.mapped,
        @FOLD_STATUS@ as status_key,
        @FOLD_CHANNEL@ as channel_key,
        @FOLD_RESULT@ as result_type_key,
@J_BOOLKEYS@        @FOLD_PNAME@ as procedure_name_key,
        @FOLD_ANAME@ as agency_name_key
    from raw
    inner join files on files.file_no = raw.file_no
),

coded as (
    select
        keyed.*,
        status_code.value as status_mapped,
        channel_code.value as channel_mapped,
        result_code.value as result_type_mapped,
@J_BOOLMAP@        procedure_names.procedure_code as procedure_code_by_name,
        agency_names.agency_code as agency_code_by_name
    from keyed
    left join codes as status_code
        on status_code.file_no = keyed.file_no and status_code.field = 'status' and status_code.code = keyed.status_key
    left join codes as channel_code
        on channel_code.file_no = keyed.file_no and channel_code.field = 'channel' and channel_code.code = keyed.channel_key
    left join codes as result_code
        on result_code.file_no = keyed.file_no and result_code.field = 'result_type' and result_code.code = keyed.result_type_key
@J_BOOLJOIN@    left join procedure_names on procedure_names.name_key = keyed.procedure_name_key
    left join agency_names on agency_names.name_key = keyed.agency_name_key
),

dated as (
    select
        coded.*,
@J_DATES@        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case
            when regexp_full_match(trim(coalesce(supplement_days_src, '')), '[+-]?[0-9]{1,9}') then CAST(trim(supplement_days_src) AS INTEGER)
        end as supplement_days_parsed
    from coded
),

mapped as (
    select
        dated.*,
        -- a code of the profile's table, else the canonical code itself
        case
            when status_from_dates and not list_contains(mapped, 'status') then
                case
                    when returned_at_parsed is not null then 'DA_TRA_KET_QUA'
                    when finished_at_parsed is not null then 'DA_XU_LY'
                    else 'DANG_XU_LY'
                end
            when status_mapped is not null then status_mapped
            when upper(trim(status_src)) in (@STAT@) then upper(trim(status_src))
        end as status_value,
        case
            when not list_contains(mapped, 'channel') then default_channel
            when channel_mapped is not null then CAST(channel_mapped AS INTEGER)
            when trim(channel_src) in ('1', '2', '3') then CAST(trim(channel_src) AS INTEGER)
        end as channel_value,
        case
            when result_type_mapped is not null then result_type_mapped
            when upper(trim(result_type_src)) in ('KET_QUA', 'TRA_LAI', 'XIN_LOI') then upper(trim(result_type_src))
        end as result_type_value,
        -- The supplement wait: the export's days; else the days between the request and the receipt of
        -- the supplements (calendar days); else none. A re-set due date already holds the wait: 0, so it
        -- is never subtracted twice (§1.1).
        case
            when due_kind = 'reset' then 0
            when list_contains(mapped, 'supplement_days') then supplement_days_parsed
            when supplement_requested_at_parsed is not null and supplement_received_at_parsed is not null
                then greatest(date_diff('day', CAST(supplement_requested_at_parsed AS DATE), CAST(supplement_received_at_parsed AS DATE)), 0)
            else 0
        end as supplement_days_value
    from dated
),

final as (
    select
        file_no,
        row_no,
        raw_record,
        source,
        trim(nfc_normalize(dossier_id_src)) as dossier_id_raw,
        coalesce(trim(nfc_normalize(procedure_code_src)), procedure_code_by_name, trim(nfc_normalize(procedure_name_src))) as procedure_code_raw,
        coalesce(trim(nfc_normalize(agency_code_src)), agency_code_by_name, trim(nfc_normalize(agency_name_src))) as agency_code_raw,
        case when list_contains(mapped, 'channel') then trim(nfc_normalize(channel_src)) else CAST(default_channel AS VARCHAR) end as channel_raw,
        trim(nfc_normalize(received_at_src)) as received_at_raw,
        trim(nfc_normalize(due_at_src)) as due_at_raw,
        trim(nfc_normalize(finished_at_src)) as finished_at_raw,
        case when status_from_dates and not list_contains(mapped, 'status') then status_value else trim(nfc_normalize(status_src)) end as status_raw,
        case when list_contains(mapped, 'supplement_days') then trim(supplement_days_src) else CAST(supplement_days_value AS VARCHAR) end as supplement_days_raw,
@J_BOOLRAW@        case
            when list_contains(mapped, 'updated_at') then trim(nfc_normalize(updated_at_src))
            else strftime(greatest(received_at_parsed, finished_at_parsed, returned_at_parsed, supplement_requested_at_parsed,
                                   supplement_received_at_parsed, deleted_at_parsed), '%Y-%m-%d %H:%M:%S')
        end as updated_at_raw,
        id_prefix as dossier_id_prefix,
        not list_contains(mapped, 'is_fee_bearing') and default_fee is null as is_fee_bearing_from_catalogue,
        channel_value as channel,
        received_at_parsed as received_at,
        due_at_parsed as due_at,
        finished_at_parsed as finished_at,
        status_value as status,
        supplement_days_value as supplement_days,
        case when list_contains(mapped, 'is_fee_bearing') then CAST(is_fee_bearing_mapped AS BOOLEAN) else coalesce(default_fee, false) end as is_fee_bearing,
@J_BOOLVAL@        -- an export without a "last changed" column: the latest date the row carries
        case
            when list_contains(mapped, 'updated_at') then updated_at_parsed
            else greatest(received_at_parsed, finished_at_parsed, returned_at_parsed, supplement_requested_at_parsed,
                          supplement_received_at_parsed, deleted_at_parsed)
        end as updated_at,
        due_optional as due_at_optional,
        trim(nfc_normalize(returned_at_src)) as returned_at_raw,
        trim(nfc_normalize(supplement_requested_at_src)) as supplement_requested_at_raw,
        trim(nfc_normalize(supplement_received_at_src)) as supplement_received_at_raw,
        case when due_kind = 'reset' then trim(nfc_normalize(due_at_src)) end as due_at_reset_raw,
        trim(nfc_normalize(result_type_src)) as result_type_raw,
        trim(nfc_normalize(deleted_at_src)) as deleted_at_raw,
        returned_at_parsed as returned_at,
        supplement_requested_at_parsed as supplement_requested_at,
        supplement_received_at_parsed as supplement_received_at,
        case when due_kind = 'reset' then due_at_parsed end as due_at_reset,
        result_type_value as result_type,
        deleted_at_parsed as deleted_at
    from mapped
)

select * from final
