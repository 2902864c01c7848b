-- Landing (DuckDB only): one page of the portal's dossier API. The runner exposes the page's
-- `data` array as `raw_input(file_no, row_no, d JSON)`; each field is taken as text and parsed, so a wrong
-- type in one record quarantines that record instead of failing the page.
with raw as (
    select * from raw_input
),

-- Each record is parsed once: json_extract_string with a list of paths returns the fields in that
-- order (one call per field parsed the record 16 times; bench/history.md, change 9).
extracted as (
    select
        file_no,
        row_no,
        d,
        json_extract_string(d, ARRAY[
            '$.maHoSo',
            '$.maTTHC',
            '$.maDonVi',
            '$.kenh',
            '$.ngayTiepNhan',
            '$.ngayHenTra',
            '$.ngayKetThuc',
            '$.trangThai',
            '$.soNgayChoBoSung',
            '$.coPhi',
            '$.thanhToanTrucTuyen',
            '$.daSoHoa',
            '$.coKetQuaDienTu',
            '$.dongBoDVCQG',
            '$.coPhanAnh',
            '$.ngayCapNhat'
        ]) as v
    from raw
),

renamed as (
    select
        file_no,
        row_no,
        d as raw_record,
        nfc_normalize(v[1]) as dossier_id_raw,
        nfc_normalize(v[2]) as procedure_code_raw,
        nfc_normalize(v[3]) as agency_code_raw,
        nfc_normalize(v[4]) as channel_raw,
        nfc_normalize(v[5]) as received_at_raw,
        nfc_normalize(v[6]) as due_at_raw,
        nfc_normalize(v[7]) as finished_at_raw,
        nfc_normalize(v[8]) as status_raw,
        nfc_normalize(v[9]) as supplement_days_raw,
        nfc_normalize(v[10]) as is_fee_bearing_raw,
        nfc_normalize(v[11]) as is_paid_online_raw,
        nfc_normalize(v[12]) as is_digitised_raw,
        nfc_normalize(v[13]) as has_e_result_raw,
        nfc_normalize(v[14]) as is_synced_raw,
        nfc_normalize(v[15]) as has_complaint_raw,
        nfc_normalize(v[16]) as updated_at_raw
    from extracted
),

final as (
    select
        file_no,
        row_no,
        raw_record,
        'portal' as source,
        dossier_id_raw,
        procedure_code_raw,
        agency_code_raw,
        channel_raw,
        received_at_raw,
        due_at_raw,
        finished_at_raw,
        status_raw,
        supplement_days_raw,
        is_fee_bearing_raw,
        is_paid_online_raw,
        is_digitised_raw,
        has_e_result_raw,
        is_synced_raw,
        has_complaint_raw,
        updated_at_raw,
        -- the id-like codes are cleaned and typed in dossiers_checked.sql, the same for every source
        '' as dossier_id_prefix,
        false as is_fee_bearing_from_catalogue,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case when regexp_full_match(channel_raw, '[+-]?[0-9]{1,9}') then cast(channel_raw as integer) end as channel,
        -- ISO 8601 with an offset; stored as local (Asia/Ho_Chi_Minh) wall time. The portal's own offset,
        -- +07:00 (Vietnam's since 1975), is that wall time as written: parsed without the ICU time-zone
        -- conversion, which cost twice the parse (0,3 s per 4 M values on 2 cores, bench/history.md,
        -- change 122). Any other offset (+00:00, +0800…) goes through the conversion, Z (UTC) as +00:00, and
        -- so does a time with a fraction of a second (up to microseconds, kept).
        case
            when length(received_at_raw) = 25 and ends_with(received_at_raw, '+07:00')
                then try_strptime(substr(received_at_raw, 1, 19), '%Y-%m-%dT%H:%M:%S')
            else timezone('Asia/Ho_Chi_Minh', try_strptime(
                case when ends_with(received_at_raw, 'Z') then substr(received_at_raw, 1, length(received_at_raw) - 1) || '+00:00' else received_at_raw end,
                ARRAY['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z']))
        end as received_at,
        case
            when length(due_at_raw) = 25 and ends_with(due_at_raw, '+07:00')
                then try_strptime(substr(due_at_raw, 1, 19), '%Y-%m-%dT%H:%M:%S')
            else timezone('Asia/Ho_Chi_Minh', try_strptime(
                case when ends_with(due_at_raw, 'Z') then substr(due_at_raw, 1, length(due_at_raw) - 1) || '+00:00' else due_at_raw end,
                ARRAY['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z']))
        end as due_at,
        case
            when length(finished_at_raw) = 25 and ends_with(finished_at_raw, '+07:00')
                then try_strptime(substr(finished_at_raw, 1, 19), '%Y-%m-%dT%H:%M:%S')
            else timezone('Asia/Ho_Chi_Minh', try_strptime(
                case when ends_with(finished_at_raw, 'Z') then substr(finished_at_raw, 1, length(finished_at_raw) - 1) || '+00:00' else finished_at_raw end,
                ARRAY['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z']))
        end as finished_at,
        nullif(trim(status_raw), '') as status,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case when regexp_full_match(supplement_days_raw, '[+-]?[0-9]{1,9}') then cast(supplement_days_raw as integer) end as supplement_days,
        try_cast(is_fee_bearing_raw as boolean) as is_fee_bearing,
        try_cast(is_paid_online_raw as boolean) as is_paid_online,
        try_cast(is_digitised_raw as boolean) as is_digitised,
        try_cast(has_e_result_raw as boolean) as has_e_result,
        try_cast(is_synced_raw as boolean) as is_synced,
        try_cast(has_complaint_raw as boolean) as has_complaint,
        case
            when length(updated_at_raw) = 25 and ends_with(updated_at_raw, '+07:00')
                then try_strptime(substr(updated_at_raw, 1, 19), '%Y-%m-%dT%H:%M:%S')
            else timezone('Asia/Ho_Chi_Minh', try_strptime(
                case when ends_with(updated_at_raw, 'Z') then substr(updated_at_raw, 1, length(updated_at_raw) - 1) || '+00:00' else updated_at_raw end,
                ARRAY['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z']))
        end as updated_at
    from renamed
)

-- The vendor fields (docs/data-contracts.md §1.1) are not in this export: null, and its dossiers always
-- have a due date (dossiers_vendor_absent.sql).
select
    final.*,
    dossiers_vendor_absent.*
from final
cross join dossiers_vendor_absent
