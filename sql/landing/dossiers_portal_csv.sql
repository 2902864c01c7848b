-- Landing (DuckDB only): the portal's CSV exports of one chunk, read as text by the runner into
-- `raw_input` (file_no, row_no, the file's Vietnamese headers, and raw_record: the row with its row_no
-- as JSON), renamed and parsed. Unparsable values become NULL here;
-- dossiers_checked.sql turns "raw present, parsed NULL" into a quarantine reason. Text is NFC-normalised
-- (an export may write "Có" as C + o + combining acute). The id-like codes (dossier, procedure, agency)
-- are cleaned of invisible characters and typed in dossiers_checked.sql, the same for every source.
with raw as (
    select * from raw_input
),

renamed as (
    select
        file_no,
        row_no,
        -- trim(nfc_normalize(v)) is v itself when v is ASCII (as many bytes as characters) with no space at
        -- either end: such a value (every code and date of a usual export) is taken as read. trim() copied
        -- every value it was given: 13 % of the checks at 1 M rows (bench/history.md, change 74).
        case when strlen("Mã hồ sơ") = length("Mã hồ sơ") and not starts_with("Mã hồ sơ", ' ') and not ends_with("Mã hồ sơ", ' ') then "Mã hồ sơ" else trim(nfc_normalize("Mã hồ sơ")) end as dossier_id_raw,
        case when strlen("Mã TTHC") = length("Mã TTHC") and not starts_with("Mã TTHC", ' ') and not ends_with("Mã TTHC", ' ') then "Mã TTHC" else trim(nfc_normalize("Mã TTHC")) end as procedure_code_raw,
        case when strlen("Mã đơn vị") = length("Mã đơn vị") and not starts_with("Mã đơn vị", ' ') and not ends_with("Mã đơn vị", ' ') then "Mã đơn vị" else trim(nfc_normalize("Mã đơn vị")) end as agency_code_raw,
        case when strlen("Kênh nộp") = length("Kênh nộp") and not starts_with("Kênh nộp", ' ') and not ends_with("Kênh nộp", ' ') then "Kênh nộp" else trim(nfc_normalize("Kênh nộp")) end as channel_raw,
        case when strlen("Ngày tiếp nhận") = length("Ngày tiếp nhận") and not starts_with("Ngày tiếp nhận", ' ') and not ends_with("Ngày tiếp nhận", ' ') then "Ngày tiếp nhận" else trim(nfc_normalize("Ngày tiếp nhận")) end as received_at_raw,
        case when strlen("Ngày hẹn trả") = length("Ngày hẹn trả") and not starts_with("Ngày hẹn trả", ' ') and not ends_with("Ngày hẹn trả", ' ') then "Ngày hẹn trả" else trim(nfc_normalize("Ngày hẹn trả")) end as due_at_raw,
        case when strlen("Ngày kết thúc") = length("Ngày kết thúc") and not starts_with("Ngày kết thúc", ' ') and not ends_with("Ngày kết thúc", ' ') then "Ngày kết thúc" else trim(nfc_normalize("Ngày kết thúc")) end as finished_at_raw,
        case when strlen("Trạng thái") = length("Trạng thái") and not starts_with("Trạng thái", ' ') and not ends_with("Trạng thái", ' ') then "Trạng thái" else trim(nfc_normalize("Trạng thái")) end as status_raw,
        case when strlen("Số ngày chờ bổ sung") = length("Số ngày chờ bổ sung") and not starts_with("Số ngày chờ bổ sung", ' ') and not ends_with("Số ngày chờ bổ sung", ' ') then "Số ngày chờ bổ sung" else trim(nfc_normalize("Số ngày chờ bổ sung")) end as supplement_days_raw,
        -- The yes/no columns: a value already 'Có' or 'Không' (NFC, no spaces) is what trim(nfc_normalize())
        -- gives, without utf8proc (ASCII values skip it anyway): 0.4 s a million rows (bench/history.md, change 46).
        case when "Có phí" in ('Có', 'Không') then "Có phí" else trim(nfc_normalize("Có phí")) end as is_fee_bearing_raw,
        case when "Thanh toán trực tuyến" in ('Có', 'Không') then "Thanh toán trực tuyến" else trim(nfc_normalize("Thanh toán trực tuyến")) end as is_paid_online_raw,
        case when "Đã số hóa" in ('Có', 'Không') then "Đã số hóa" else trim(nfc_normalize("Đã số hóa")) end as is_digitised_raw,
        case when "Có kết quả điện tử" in ('Có', 'Không') then "Có kết quả điện tử" else trim(nfc_normalize("Có kết quả điện tử")) end as has_e_result_raw,
        case when "Đồng bộ DVCQG" in ('Có', 'Không') then "Đồng bộ DVCQG" else trim(nfc_normalize("Đồng bộ DVCQG")) end as is_synced_raw,
        case when "Có phản ánh" in ('Có', 'Không') then "Có phản ánh" else trim(nfc_normalize("Có phản ánh")) end as has_complaint_raw,
        case when strlen("Ngày cập nhật") = length("Ngày cập nhật") and not starts_with("Ngày cập nhật", ' ') and not ends_with("Ngày cập nhật", ' ') then "Ngày cập nhật" else trim(nfc_normalize("Ngày cập nhật")) end as updated_at_raw,
        raw_record
    from raw
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
        '' as dossier_id_prefix,
        false as is_fee_bearing_from_catalogue,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case when regexp_full_match(channel_raw, '[+-]?[0-9]{1,9}') then cast(channel_raw as integer) end as channel,
        try_strptime(received_at_raw, '%d/%m/%Y %H:%M') as received_at,
        try_strptime(due_at_raw, '%d/%m/%Y %H:%M') as due_at,
        try_strptime(finished_at_raw, '%d/%m/%Y %H:%M') as finished_at,
        nullif(status_raw, '') as status,
        -- digits only: try_cast would read the vi-VN "1.000" (one thousand) as 1
        case when regexp_full_match(supplement_days_raw, '[+-]?[0-9]{1,9}') then cast(supplement_days_raw as integer) end as supplement_days,
        case is_fee_bearing_raw when 'Có' then true when 'Không' then false end as is_fee_bearing,
        case is_paid_online_raw when 'Có' then true when 'Không' then false end as is_paid_online,
        case is_digitised_raw when 'Có' then true when 'Không' then false end as is_digitised,
        case has_e_result_raw when 'Có' then true when 'Không' then false end as has_e_result,
        case is_synced_raw when 'Có' then true when 'Không' then false end as is_synced,
        case has_complaint_raw when 'Có' then true when 'Không' then false end as has_complaint,
        try_strptime(updated_at_raw, '%d/%m/%Y %H:%M') as updated_at
    from renamed
)

-- The vendor fields (docs/data-contracts.md §1.1) are not in this export: null, and its dossiers always
-- have a due date (dossiers_vendor_absent.sql).
select
    final.*,
    dossiers_vendor_absent.*
from final
cross join dossiers_vendor_absent
