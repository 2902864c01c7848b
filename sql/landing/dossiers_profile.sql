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

-- A procedure named in the export: the one of that name held by the row's agency, else any of that name.
procedure_names as (
    select trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(name), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as name_key, min(procedure_code) as procedure_code
    from ref_procedures
    group by 1
),

agency_procedure_names as (
    select trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(name), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as name_key, agency_code, min(procedure_code) as procedure_code
    from ref_procedures
    group by 1, 2
),

agency_names as (
    select name_key, min(agency_code) as agency_code
    from (
        select trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(name), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as name_key, agency_code from ref_agencies
        union all
        select trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(short_name), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as name_key, agency_code from ref_agencies
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
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(raw.status_src), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as status_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(raw.channel_src), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as channel_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(raw.result_type_src), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as result_type_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.is_fee_bearing_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as is_fee_bearing_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.is_paid_online_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as is_paid_online_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.is_digitised_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as is_digitised_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.has_e_result_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as has_e_result_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.is_synced_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as is_synced_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(raw.has_complaint_src, '')), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as has_complaint_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(raw.procedure_name_src), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as procedure_name_key,
        trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(raw.agency_name_src), 'đ', 'd'), 'Đ', 'D'))), '[\s\x{00A0}\x{200B}\x{FEFF}]+', ' ', 'g')) as agency_name_key
    from raw
    inner join files on files.file_no = raw.file_no
),

coded as (
    select
        keyed.*,
        status_code.value as status_mapped,
        channel_code.value as channel_mapped,
        result_code.value as result_type_mapped,
        is_fee_bearing_code.value as is_fee_bearing_mapped,
        is_paid_online_code.value as is_paid_online_mapped,
        is_digitised_code.value as is_digitised_mapped,
        has_e_result_code.value as has_e_result_mapped,
        is_synced_code.value as is_synced_mapped,
        has_complaint_code.value as has_complaint_mapped,
        coalesce(agency_procedure_names.procedure_code, procedure_names.procedure_code) as procedure_code_by_name,
        agency_names.agency_code as agency_code_by_name
    from keyed
    left join codes as status_code
        on status_code.file_no = keyed.file_no and status_code.field = 'status' and status_code.code = keyed.status_key
    left join codes as channel_code
        on channel_code.file_no = keyed.file_no and channel_code.field = 'channel' and channel_code.code = keyed.channel_key
    left join codes as result_code
        on result_code.file_no = keyed.file_no and result_code.field = 'result_type' and result_code.code = keyed.result_type_key
    left join codes as is_fee_bearing_code
        on is_fee_bearing_code.file_no = keyed.file_no and is_fee_bearing_code.field = 'bool' and is_fee_bearing_code.code = keyed.is_fee_bearing_key
    left join codes as is_paid_online_code
        on is_paid_online_code.file_no = keyed.file_no and is_paid_online_code.field = 'bool' and is_paid_online_code.code = keyed.is_paid_online_key
    left join codes as is_digitised_code
        on is_digitised_code.file_no = keyed.file_no and is_digitised_code.field = 'bool' and is_digitised_code.code = keyed.is_digitised_key
    left join codes as has_e_result_code
        on has_e_result_code.file_no = keyed.file_no and has_e_result_code.field = 'bool' and has_e_result_code.code = keyed.has_e_result_key
    left join codes as is_synced_code
        on is_synced_code.file_no = keyed.file_no and is_synced_code.field = 'bool' and is_synced_code.code = keyed.is_synced_key
    left join codes as has_complaint_code
        on has_complaint_code.file_no = keyed.file_no and has_complaint_code.field = 'bool' and has_complaint_code.code = keyed.has_complaint_key
    left join agency_names on agency_names.name_key = keyed.agency_name_key
    left join procedure_names on procedure_names.name_key = keyed.procedure_name_key
    left join agency_procedure_names
        on agency_procedure_names.name_key = keyed.procedure_name_key
        and agency_procedure_names.agency_code = coalesce(trim(nfc_normalize(keyed.agency_code_src)), agency_names.agency_code)
),

dated as (
    select
        coded.*,
        case
            when coalesce(trim(nfc_normalize(received_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(received_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(received_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(received_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as received_at_parsed,
        case
            when coalesce(trim(nfc_normalize(due_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(due_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(due_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(due_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as due_at_parsed,
        case
            when coalesce(trim(nfc_normalize(finished_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(finished_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(finished_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(finished_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as finished_at_parsed,
        case
            when coalesce(trim(nfc_normalize(returned_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(returned_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(returned_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(returned_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as returned_at_parsed,
        case
            when coalesce(trim(nfc_normalize(supplement_requested_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(supplement_requested_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(supplement_requested_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(supplement_requested_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as supplement_requested_at_parsed,
        case
            when coalesce(trim(nfc_normalize(supplement_received_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(supplement_received_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(supplement_received_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(supplement_received_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as supplement_received_at_parsed,
        case
            when coalesce(trim(nfc_normalize(deleted_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(deleted_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(deleted_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(deleted_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as deleted_at_parsed,
        case
            when coalesce(trim(nfc_normalize(updated_at_src)), '') = '' then CAST(NULL AS TIMESTAMP)
            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)
            when regexp_full_match(trim(nfc_normalize(updated_at_src)), '[0-9]{5}(\.[0-9]+)?')
                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(trim(nfc_normalize(updated_at_src)) AS DOUBLE) * 86400) AS BIGINT))
            when dates = 'ymd' then coalesce(
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%d %H:%M'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y/%m/%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y/%m/%d %H:%M'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y/%m/%d')
                )
            else coalesce(
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%d %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%dT%H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%Y-%m-%d'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d/%m/%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d/%m/%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d-%m-%Y %H:%M:%S'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d-%m-%Y %H:%M'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%d-%m-%Y'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%H:%M %d/%m/%Y'),
                    try_strptime(trim(nfc_normalize(updated_at_src)), '%H:%M:%S %d/%m/%Y')
                )
        end as updated_at_parsed,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
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
            when upper(trim(status_src)) in ('DANG_XU_LY', 'CHO_BO_SUNG', 'DA_TRA_KET_QUA', 'DA_RUT', 'TU_CHOI', 'CHUA_TIEP_NHAN', 'TU_CHOI_TIEP_NHAN', 'DUNG_XU_LY', 'CHO_THANH_TOAN', 'DA_XU_LY') then upper(trim(status_src))
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
        -- The supplement wait: the export's days; else the calendar days between the request and the
        -- receipt of the supplements; else none.
        case
            when list_contains(mapped, 'supplement_days') then supplement_days_parsed
            when supplement_requested_at_parsed is not null and supplement_received_at_parsed is not null
                then CAST(least(greatest(date_diff('day', CAST(supplement_requested_at_parsed AS DATE), CAST(supplement_received_at_parsed AS DATE)), 0), 99999) AS INTEGER)
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
        trim(nfc_normalize(is_fee_bearing_src)) as is_fee_bearing_raw,
        trim(nfc_normalize(is_paid_online_src)) as is_paid_online_raw,
        trim(nfc_normalize(is_digitised_src)) as is_digitised_raw,
        trim(nfc_normalize(has_e_result_src)) as has_e_result_raw,
        trim(nfc_normalize(is_synced_src)) as is_synced_raw,
        trim(nfc_normalize(has_complaint_src)) as has_complaint_raw,
        case
            when list_contains(mapped, 'updated_at') then trim(nfc_normalize(updated_at_src))
            else strftime(greatest(received_at_parsed, finished_at_parsed, returned_at_parsed, supplement_requested_at_parsed,
                                   supplement_received_at_parsed, deleted_at_parsed), '%Y-%m-%d %H:%M:%S')
        end as updated_at_raw,
        id_prefix as dossier_id_prefix,
        not list_contains(mapped, 'is_fee_bearing') and default_fee is null as is_fee_bearing_from_catalogue,
        channel_value as channel,
        received_at_parsed as received_at,
        -- due_at is the ORIGINAL due date (§1.1). A re-set one already holds the wait: the original is
        -- the re-set date less the wait (never before receipt), so the wait is subtracted once.
        case
            when due_kind = 'reset' and due_at_parsed is not null
                then greatest(due_at_parsed - to_days(coalesce(supplement_days_value, 0)), received_at_parsed)
            else due_at_parsed
        end as due_at,
        finished_at_parsed as finished_at,
        status_value as status,
        supplement_days_value as supplement_days,
        case when list_contains(mapped, 'is_fee_bearing') then CAST(is_fee_bearing_mapped AS BOOLEAN) else coalesce(default_fee, false) end as is_fee_bearing,
        case when list_contains(mapped, 'is_paid_online') then CAST(is_paid_online_mapped AS BOOLEAN) else false end as is_paid_online,
        case when list_contains(mapped, 'is_digitised') then CAST(is_digitised_mapped AS BOOLEAN) else false end as is_digitised,
        case when list_contains(mapped, 'has_e_result') then CAST(has_e_result_mapped AS BOOLEAN) else false end as has_e_result,
        case when list_contains(mapped, 'is_synced') then CAST(is_synced_mapped AS BOOLEAN) else false end as is_synced,
        case when list_contains(mapped, 'has_complaint') then CAST(has_complaint_mapped AS BOOLEAN) else false end as has_complaint,
        -- an export without a "last changed" column: the latest date the row carries
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
