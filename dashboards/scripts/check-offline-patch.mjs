#!/usr/bin/env node
/**
 * Exercises the patched @evidence-dev/universal-sql node side the way `evidence sources` and
 * `evidence build` do: write a table as several Parquet batches and merge them
 * (buildMultipartParquet), then load it into duckdb-wasm (setParquetURLs) and query it.
 * Unpatched, both steps ask duckdb-wasm for its parquet extension, which it downloads from
 * extensions.duckdb.org, and hang without a network.
 *
 * Also loads an empty table as functions/dashboards/build.ts serves one (a placeholder row flagged in
 * __cchc_placeholder), which the patched client must load empty, with its columns and without the flag.
 *
 *   node scripts/check-offline-patch.mjs <tmpDir>   → prints {"rows":…,"total":…,"names":[…],"empty":{…}}
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildMultipartParquet } from '@evidence-dev/universal-sql';
import { initDB, setParquetURLs, query } from '@evidence-dev/universal-sql/client-duckdb';

const tmp = path.resolve(process.argv[2] ?? '.evidence/check-offline');
await fs.rm(tmp, { recursive: true, force: true });
const columns = [
	{ name: 'name', evidenceType: 'string' },
	{ name: 'v', evidenceType: 'number' },
	{ name: 'd', evidenceType: 'date' },
	{ name: 'ok', evidenceType: 'boolean' }
];
const rows = [
	{ name: 'Sở Tư pháp', v: 1492, d: new Date('2025-03-01T00:00:00Z'), ok: true },
	{ name: 'Sở Y tế', v: 83.45, d: new Date('2025-03-02T00:00:00Z'), ok: false },
	{ name: '<b>Sở Thử</b>', v: 0.3333, d: null, ok: null },
	{ name: 'Sở Xây dựng', v: 10, d: new Date('2025-03-04T00:00:00Z'), ok: true }
];
// batchSize 2 → two batch files, merged without DuckDB's parquet extension. (Like upstream's
// merge, batches must agree on column types: a column all NULL within one batch would not.)
const written = await buildMultipartParquet(columns, rows, path.join(tmp, 'tmp'), path.join(tmp, 'out'), 'check/t.parquet', 2);
const placeholder = [
	{ name: 'name', evidenceType: 'string' },
	{ name: 'v', evidenceType: 'number' },
	{ name: 'd', evidenceType: 'date' },
	{ name: '__cchc_placeholder', evidenceType: 'boolean' }
];
await buildMultipartParquet(placeholder, [{ name: '', v: 0, d: new Date(0), __cchc_placeholder: true }], path.join(tmp, 'tmp-e'), path.join(tmp, 'out'), 'check/e.parquet');
await initDB();
await setParquetURLs({ lake: [path.join(tmp, 'out', 'check', 't.parquet'), path.join(tmp, 'out', 'check', 'e.parquet')] });
const empty = {
	rows: Number(query('select count(*) as n from lake.e')[0].n),
	columns: query("select column_name, data_type from information_schema.columns where table_schema = 'lake' and table_name = 'e' order by ordinal_position").map((r) => `${r.column_name} ${r.data_type}`)
};
const [agg] = query('select count(*) as n, sum(v) as total from lake.t');
const names = query('select name from lake.t order by v').map((r) => r.name);
process.stdout.write(`${JSON.stringify({ written, rows: Number(agg.n), total: Number(agg.total), names, empty })}\n`);
process.exit(0);
