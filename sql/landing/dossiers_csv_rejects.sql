-- Landing (DuckDB only): the records of a chunk's CSV exports that DuckDB's reader could not split into
-- the header's fields (wrong number of fields, bad quoting, an over-long line, invalid UTF-8), one row
-- per record with its data-row number and a reason in plain words (DuckDB's message, when it has one,
-- before the words in brackets). The runner reads the chunk with store_rejects, so DuckDB fills the
-- reject tables it names, which it gives this model as `reject_errors` and `reject_scans` (one
-- connection's reads at a time), and provides `chunk_csv` (file_no, csv_path: the path each file
-- was read from) and `reject_blank_lines` (file_no, line, n: each run of empty lines of a file, as the
-- line DuckDB gives its first and their number, counted apart by csv-records.ts). A record with several
-- errors is reported by its first column's. DuckDB's `line` counts the empty lines before a record, which
-- are no records: its data-row number is its line less the header and those lines, as the good rows
-- around it are numbered (an export with two empty lines before a rejected third record named it row 5).
with errors as (
    select * from reject_errors
),

scans as (
    select * from reject_scans
),

files as (
    select * from chunk_csv
),

blank_lines as (
    select * from reject_blank_lines
),

final as (
    select
        files.file_no,
        -- the line less the header and the empty lines above it
        CAST(errors.line - 1 - coalesce((
            select sum(blank_lines.n) from blank_lines
            where blank_lines.file_no = files.file_no and blank_lines.line < errors.line
        ), 0) AS BIGINT) as row_no,
        case min_by(errors.error_type, coalesce(errors.column_idx, 0))
            when 'LINE SIZE OVER MAXIMUM' then 'line longer than 1 MiB (max_line_size): probably a missing closing quote or a binary file'
            when 'MISSING COLUMNS' then coalesce(min_by(errors.error_message, coalesce(errors.column_idx, 0)), '')
                || ' (fewer fields than the header: a cut line, or a line break inside an unquoted value?)'
            when 'TOO MANY COLUMNS' then coalesce(min_by(errors.error_message, coalesce(errors.column_idx, 0)), '')
                || ' (more fields than the header: the separator inside an unquoted value?)'
            when 'UNQUOTED VALUE' then coalesce(min_by(errors.error_message, coalesce(errors.column_idx, 0)), '')
                || ' (a quote is opened and never closed, or text follows a closing quote)'
            when 'INVALID UNICODE' then 'not valid UTF-8 text'
            else coalesce(
                nullif(min_by(errors.error_message, coalesce(errors.column_idx, 0)), ''),
                'the line cannot be read as a record of this export ('
                || coalesce(min_by(errors.error_type, coalesce(errors.column_idx, 0)), 'unknown CSV error') || ')'
            )
        end as reason,
        -- the line as read, without the line break before it
        regexp_replace(min_by(errors.csv_line, coalesce(errors.column_idx, 0)), '^[\r\n]+', '') as raw_line
    from errors
    inner join scans on scans.scan_id = errors.scan_id and scans.file_id = errors.file_id
    inner join files on files.csv_path = scans.file_path
    group by files.file_no, errors.line
)

select * from final
