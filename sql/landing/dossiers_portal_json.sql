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
        -- ISO 8601 with the +07:00 offset; stored as local (Asia/Ho_Chi_Minh) wall time.
        timezone('Asia/Ho_Chi_Minh', try_strptime(received_at_raw, '%Y-%m-%dT%H:%M:%S%z')) as received_at,
        timezone('Asia/Ho_Chi_Minh', try_strptime(due_at_raw, '%Y-%m-%dT%H:%M:%S%z')) as due_at,
        timezone('Asia/Ho_Chi_Minh', try_strptime(finished_at_raw, '%Y-%m-%dT%H:%M:%S%z')) as finished_at,
        nullif(trim(status_raw), '') as status,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case when regexp_full_match(supplement_days_raw, '[+-]?[0-9]{1,9}') then cast(supplement_days_raw as integer) end as supplement_days,
        try_cast(is_fee_bearing_raw as boolean) as is_fee_bearing,
        try_cast(is_paid_online_raw as boolean) as is_paid_online,
        try_cast(is_digitised_raw as boolean) as is_digitised,
        try_cast(has_e_result_raw as boolean) as has_e_result,
        try_cast(is_synced_raw as boolean) as is_synced,
        try_cast(has_complaint_raw as boolean) as has_complaint,
        timezone('Asia/Ho_Chi_Minh', try_strptime(updated_at_raw, '%Y-%m-%dT%H:%M:%S%z')) as updated_at
    from renamed
)

-- The vendor fields (docs/data-contracts.md §1.1) are not in this export: null, and its dossiers always
-- have a due date (dossiers_vendor_absent.sql).
select
    final.*,
    dossiers_vendor_absent.*
from final
cross join dossiers_vendor_absent
