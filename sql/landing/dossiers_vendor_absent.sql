-- Landing (DuckDB only): the vendor fields (docs/data-contracts.md §1.1) of the exports that do not
-- carry them — the portal's CSV exports and API pages, and the NSW exports: null, in one row that
-- dossiers_portal_csv.sql, dossiers_portal_json.sql and dossiers_nsw_csv.sql cross-join (the runner
-- provides it as `dossiers_vendor_absent`). Their dossiers always have a due date (due_at_optional
-- false: an empty one is quarantined). A vendor export (dossiers_profile.sql) maps these fields itself.
select
    false as due_at_optional,
    CAST(NULL AS VARCHAR) as returned_at_raw,
    CAST(NULL AS VARCHAR) as supplement_requested_at_raw,
    CAST(NULL AS VARCHAR) as supplement_received_at_raw,
    CAST(NULL AS VARCHAR) as due_at_reset_raw,
    CAST(NULL AS VARCHAR) as result_type_raw,
    CAST(NULL AS VARCHAR) as deleted_at_raw,
    CAST(NULL AS TIMESTAMP) as returned_at,
    CAST(NULL AS TIMESTAMP) as supplement_requested_at,
    CAST(NULL AS TIMESTAMP) as supplement_received_at,
    CAST(NULL AS TIMESTAMP) as due_at_reset,
    CAST(NULL AS VARCHAR) as result_type,
    CAST(NULL AS TIMESTAMP) as deleted_at
