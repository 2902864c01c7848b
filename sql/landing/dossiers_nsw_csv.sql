-- Landing (DuckDB only): an NSW export as an agency downloads it (semicolon CSV, dd-mm-yyyy HH:mm:ss,
-- Vietnamese status text; flags are 'x' or empty). NSW dossiers are online by nature; fee-bearing
-- comes from the catalogue (dossiers_checked.sql looks it up with the cleaned procedure code). The id
-- is `NSW-` + Số hồ sơ, cleaned in dossiers_checked.sql. `raw_input` holds the chunk's files
-- (file_no, row_no, the headers, and raw_record: the row with its row_no as JSON), as for
-- dossiers_portal_csv.sql.
with raw as (
    select * from raw_input
),

renamed as (
    select
        file_no,
        row_no,
        raw_record,
        -- trim(nfc_normalize(v)) is v itself when v is ASCII (as many bytes as characters) with no space at
        -- either end: such a value (every code and date of a usual export) is taken as read. trim() copied
        -- every value it was given: 13 % of the checks at 1 M rows (bench/history.md, change 74).
        case when strlen("Số hồ sơ") = length("Số hồ sơ") and not starts_with("Số hồ sơ", ' ') and not ends_with("Số hồ sơ", ' ') then "Số hồ sơ" else trim(nfc_normalize("Số hồ sơ")) end as dossier_no_raw,
        case when strlen("Mã thủ tục") = length("Mã thủ tục") and not starts_with("Mã thủ tục", ' ') and not ends_with("Mã thủ tục", ' ') then "Mã thủ tục" else trim(nfc_normalize("Mã thủ tục")) end as procedure_code_raw,
        case when strlen("Mã cơ quan xử lý") = length("Mã cơ quan xử lý") and not starts_with("Mã cơ quan xử lý", ' ') and not ends_with("Mã cơ quan xử lý", ' ') then "Mã cơ quan xử lý" else trim(nfc_normalize("Mã cơ quan xử lý")) end as agency_code_raw,
        case when strlen("Ngày tiếp nhận") = length("Ngày tiếp nhận") and not starts_with("Ngày tiếp nhận", ' ') and not ends_with("Ngày tiếp nhận", ' ') then "Ngày tiếp nhận" else trim(nfc_normalize("Ngày tiếp nhận")) end as received_at_raw,
        case when strlen("Ngày hẹn trả") = length("Ngày hẹn trả") and not starts_with("Ngày hẹn trả", ' ') and not ends_with("Ngày hẹn trả", ' ') then "Ngày hẹn trả" else trim(nfc_normalize("Ngày hẹn trả")) end as due_at_raw,
        case when strlen("Ngày hoàn thành") = length("Ngày hoàn thành") and not starts_with("Ngày hoàn thành", ' ') and not ends_with("Ngày hoàn thành", ' ') then "Ngày hoàn thành" else trim(nfc_normalize("Ngày hoàn thành")) end as finished_at_raw,
        case when strlen("Trạng thái") = length("Trạng thái") and not starts_with("Trạng thái", ' ') and not ends_with("Trạng thái", ' ') then "Trạng thái" else trim(nfc_normalize("Trạng thái")) end as status_raw,
        coalesce(case when strlen("Thanh toán trực tuyến") = length("Thanh toán trực tuyến") and not starts_with("Thanh toán trực tuyến", ' ') and not ends_with("Thanh toán trực tuyến", ' ') then "Thanh toán trực tuyến" else trim(nfc_normalize("Thanh toán trực tuyến")) end, '') as is_paid_online_raw,
        coalesce(case when strlen("Có kết quả điện tử") = length("Có kết quả điện tử") and not starts_with("Có kết quả điện tử", ' ') and not ends_with("Có kết quả điện tử", ' ') then "Có kết quả điện tử" else trim(nfc_normalize("Có kết quả điện tử")) end, '') as has_e_result_raw
    from raw
),

parsed as (
    select
        file_no,
        row_no,
        raw_record,
        'nsw' as source,
        dossier_no_raw as dossier_id_raw,
        procedure_code_raw,
        agency_code_raw,
        '2' as channel_raw,
        received_at_raw,
        due_at_raw,
        finished_at_raw,
        status_raw,
        '0' as supplement_days_raw,
        'catalogue' as is_fee_bearing_raw,
        is_paid_online_raw,
        'x' as is_digitised_raw,
        has_e_result_raw,
        'x' as is_synced_raw,
        '' as has_complaint_raw,
        coalesce(nullif(finished_at_raw, ''), received_at_raw) as updated_at_raw,
        'NSW-' as dossier_id_prefix,
        true as is_fee_bearing_from_catalogue,
        2 as channel,
        try_strptime(received_at_raw, '%d-%m-%Y %H:%M:%S') as received_at,
        try_strptime(due_at_raw, '%d-%m-%Y %H:%M:%S') as due_at,
        try_strptime(finished_at_raw, '%d-%m-%Y %H:%M:%S') as finished_at,
        case status_raw
            when 'Đang xử lý' then 'DANG_XU_LY'
            when 'Chờ bổ sung' then 'CHO_BO_SUNG'
            when 'Đã cấp phép' then 'DA_TRA_KET_QUA'
            when 'Từ chối' then 'TU_CHOI'
            when 'Đã rút' then 'DA_RUT'
        end as status,
        0 as supplement_days,
        CAST(NULL AS BOOLEAN) as is_fee_bearing,
        case is_paid_online_raw when 'x' then true when '' then false end as is_paid_online,
        true as is_digitised,
        case has_e_result_raw when 'x' then true when '' then false end as has_e_result,
        true as is_synced,
        false as has_complaint
    from renamed
),

final as (
    select
        parsed.*,
        coalesce(parsed.finished_at, parsed.received_at) as updated_at
    from parsed
)

-- The vendor fields (docs/data-contracts.md §1.1) are not in this export: null, and its dossiers always
-- have a due date (dossiers_vendor_absent.sql).
select
    final.*,
    dossiers_vendor_absent.*
from final
cross join dossiers_vendor_absent
