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
        trim(nfc_normalize("Số hồ sơ")) as dossier_no_raw,
        trim(nfc_normalize("Mã thủ tục")) as procedure_code_raw,
        trim(nfc_normalize("Mã cơ quan xử lý")) as agency_code_raw,
        trim(nfc_normalize("Ngày tiếp nhận")) as received_at_raw,
        trim(nfc_normalize("Ngày hẹn trả")) as due_at_raw,
        trim(nfc_normalize("Ngày hoàn thành")) as finished_at_raw,
        trim(nfc_normalize("Trạng thái")) as status_raw,
        coalesce(trim(nfc_normalize("Thanh toán trực tuyến")), '') as is_paid_online_raw,
        coalesce(trim(nfc_normalize("Có kết quả điện tử")), '') as has_e_result_raw
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
