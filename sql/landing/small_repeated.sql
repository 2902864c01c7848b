-- Landing (DuckDB only): the rows of small files (registry, Biểu 06, PAR, 766 answers) whose key
-- repeats an earlier row of the SAME file, as quarantine records. Two rows of one file with the same
-- key are not two versions of a record: the first row lands, each later one is quarantined naming the
-- first (docs/data-contracts.md §4.5). The readers quarantine most such rows themselves; this makes it
-- true for every small dataset.
--
-- The runner provides `small_rows` (one row per row of every small dataset's batch: dataset, raw_hash,
-- raw_row, source, row_key: the row's source, partition values and key as one JSON text, key_field and
-- key_value: the key's last column and its value, key_words: the key in words, raw_record: the row
-- as JSON) and `small_files` (raw_hash, raw_kind, source_file, fy, fm: each landed small file and the
-- month its rejected rows are quarantined under, always one Athena projects: functions/core/lake/small.ts,
-- SmallLandResult.quarantinedUnder, by periods.ts's quarantineMonth).
with keyed as (
    select * from small_rows
),

files as (
    select * from small_files
),

ranked as (
    select
        keyed.*,
        row_number() over w as occurrence,
        first_value(keyed.raw_row) over w as first_row
    from keyed
    window w as (partition by keyed.dataset, keyed.raw_hash, keyed.row_key order by keyed.raw_row)
),

final as (
    select
        ranked.dataset,
        ranked.source,
        files.fy as year,
        files.fm as month,
        files.raw_kind,
        files.source_file,
        ranked.raw_row as row_no,
        ranked.key_field as field,
        'listed twice in the file: ' || ranked.key_words || ' as row ' || CAST(ranked.first_row AS VARCHAR)
            || ' (that first row is kept)' as reason,
        ranked.key_value as raw_value,
        ranked.raw_record,
        ranked.raw_hash
    from ranked
    inner join files on files.raw_hash = ranked.raw_hash
    where ranked.occurrence > 1
)

select * from final
