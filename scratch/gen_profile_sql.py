NL = "\n"
def fold(x):
    return "trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(" + x + "), 'đ', 'd'), 'Đ', 'D'))), '[\\s\\x{00A0}\\x{200B}\\x{FEFF}]+', ' ', 'g'))"
def ts(x):
    return ("case" + NL +
"            when coalesce(X, '') = '' then CAST(NULL AS TIMESTAMP)" + NL +
"            -- an Excel date cell: serial days since 1899-12-30 (the fraction is the time of day)" + NL +
"            when regexp_full_match(X, '[0-9]{5}(\\.[0-9]+)?')" + NL +
"                then TIMESTAMP '1899-12-30 00:00:00' + to_seconds(CAST(round(CAST(X AS DOUBLE) * 86400) AS BIGINT))" + NL +
"            when dates = 'ymd' then try_strptime(X, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d'])" + NL +
"            else try_strptime(X, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%H:%M %d/%m/%Y', '%H:%M:%S %d/%m/%Y'])" + NL +
"        end").replace('X', x)
DATES=['received_at','due_at','finished_at','returned_at','supplement_requested_at','supplement_received_at','deleted_at','updated_at']
BOOLS=['is_fee_bearing','is_paid_online','is_digitised','has_e_result','is_synced','has_complaint']
STAT="'DANG_XU_LY', 'CHO_BO_SUNG', 'DA_TRA_KET_QUA', 'DA_RUT', 'TU_CHOI', 'CHUA_TIEP_NHAN', 'TU_CHOI_TIEP_NHAN', 'DUNG_XU_LY', 'CHO_THANH_TOAN', 'DA_XU_LY'"
J_BOOLKEYS = ''.join("        " + fold("coalesce(raw." + b + "_src, '')") + " as " + b + "_key," + NL for b in BOOLS)
J_BOOLMAP = ''.join("        " + b + "_code.value as " + b + "_mapped," + NL for b in BOOLS)
J_BOOLJOIN = ''.join("    left join codes as " + b + "_code" + NL + "        on " + b + "_code.file_no = keyed.file_no and " + b + "_code.field = 'bool' and " + b + "_code.code = keyed." + b + "_key" + NL for b in BOOLS)
J_DATES = ''.join("        " + ts('trim(nfc_normalize(' + d + '_src))') + " as " + d + "_parsed," + NL for d in DATES)
J_BOOLRAW = ''.join("        trim(nfc_normalize(" + b + "_src)) as " + b + "_raw," + NL for b in BOOLS)
J_BOOLVAL = ''.join("        case when list_contains(mapped, '" + b + "') then CAST(" + b + "_mapped AS BOOLEAN) else false end as " + b + "," + NL for b in BOOLS[1:])
tpl = open('scratch/profile_sql.tpl').read()
for k, v in dict(FOLD_STATUS=fold('raw.status_src'), FOLD_CHANNEL=fold('raw.channel_src'), FOLD_RESULT=fold('raw.result_type_src'),
                 FOLD_PNAME=fold('raw.procedure_name_src'), FOLD_ANAME=fold('raw.agency_name_src'), FOLD_NAME=fold('name'), FOLD_SHORT=fold('short_name'),
                 J_BOOLKEYS=J_BOOLKEYS, J_BOOLMAP=J_BOOLMAP, J_BOOLJOIN=J_BOOLJOIN, J_DATES=J_DATES, J_BOOLRAW=J_BOOLRAW, J_BOOLVAL=J_BOOLVAL, STAT=STAT).items():
    tpl = tpl.replace('@' + k + '@', v)
open('sql/landing/dossiers_profile.sql', 'w').write(tpl)
