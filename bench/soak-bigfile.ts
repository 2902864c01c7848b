/**
 * Soak: one portal CSV export of several hundred MB, generated here (streamed), landed with a DuckDB
 * memory limit, in this process; prints rows, seconds and the peak resident memory (VmHWM), and
 * fails when the peak passes the budget. Not part of `npm test` (it takes minutes).
 *
 *   npx tsx bench/soak-bigfile.ts [--mb 600] [--memory-limit 512MB] [--budget-mb 1500] [--windows-1258]
 *
 * --windows-1258 writes the file in that code page, so the streamed transcoding is soaked too.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { PORTAL_CSV_HEADER } from '../functions/core/lake/csv-header.js';
import { landStaged } from '../functions/core/lake/land.js';
import { stageRaw } from '../functions/core/lake/raw.js';
import { LocalStorage } from '../functions/core/storage/local.js';
import { encodeWindows1258 } from '../test/fixtures/bad/make.js';
import { RESULTS_DIR } from '../test/reliability/record.js';

const o = new Command()
  .option('--mb <n>', 'file size in MB', (v) => Number(v), 600)
  .option('--memory-limit <size>', 'DuckDB memory limit', '512MB')
  .option('--budget-mb <n>', 'fail when the peak RSS passes this', (v) => Number(v), 1500)
  .option('--windows-1258', 'write the file as Windows-1258', false)
  .parse()
  .opts<{ mb: number; memoryLimit: string; budgetMb: number; windows1258: boolean }>();

function peakRssMb(): Promise<number> {
  return readFile('/proc/self/status', 'utf8').then((s) => Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'soak-'));
try {
  const file = path.join(dir, '2024-05.csv');
  const out = createWriteStream(file);
  const encode = (s: string): Buffer => (o.windows1258 ? encodeWindows1258(s) : Buffer.from(s, 'utf8'));
  out.write(encode(`${o.windows1258 ? '' : '\ufeff'}${PORTAL_CSV_HEADER.join(',')}\r\n`));
  let bytes = 0;
  let rows = 0;
  const target = o.mb * 1024 * 1024;
  while (bytes < target) {
    const lines: string[] = [];
    for (let k = 0; k < 5000; k++) {
      rows++;
      const day = 1 + (rows % 28);
      const d = `${String(day).padStart(2, '0')}/05/2024`;
      lines.push(`SOAK-${String(rows).padStart(9, '0')},1.000001,H99.01,2,${d} 08:15,${d} 17:00,${d} 16:00,DA_TRA_KET_QUA,0,Có,Có,Có,Có,Có,Không,${d} 16:00\r\n`);
    }
    const chunk = encode(lines.join(''));
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const size = (await stat(file)).size;
  console.log(`Wrote ${rows.toLocaleString('en')} rows, ${(size / 1e6).toFixed(0)} MB${o.windows1258 ? ' (Windows-1258)' : ''}`);

  const storage = new LocalStorage(path.join(dir, 'lake'));
  // Dossiers are checked against the landed registry (none = an error): land a small one first.
  const registry = {
    'registry-agencies': 'agency_code,name,short_name,kind,parent_code,province_code,valid_from,valid_to,successor_code\r\nH99.01,Sở Tư pháp,Sở Tư pháp,so,,H99,2019-01-01,,\r\n',
    'registry-procedures': 'procedure_code,name,field,agency_code,online_level,is_fee_bearing,is_nsw,statutory_days,original_statutory_days\r\n1.000001,Cấp phiếu lý lịch tư pháp,Lý lịch tư pháp,H99.01,toan_trinh,true,false,10,10\r\n',
  } as const;
  for (const [kind, text] of Object.entries(registry) as [keyof typeof registry, string][]) {
    await stageRaw(storage, { kind, bytes: Buffer.from(`\ufeff${text}`), period: null, originalName: `${kind}.csv` });
  }
  await landStaged({ storage, workDir: path.join(dir, 'work') });
  await stageRaw(storage, { kind: 'portal-csv', bytes: await readFile(file), period: '2024-05', originalName: '2024-05.csv' });
  const before = await peakRssMb();
  const started = performance.now();
  const s = await landStaged({ storage, workDir: path.join(dir, 'work'), memoryLimit: o.memoryLimit, maxTimestamp: '2026-01-05 23:59:59' });
  const seconds = (performance.now() - started) / 1000;
  const peak = await peakRssMb();
  console.log(`Landed ${s.rowsLanded.toLocaleString('en')} of ${s.rowsRead.toLocaleString('en')} rows in ${seconds.toFixed(1)} s; peak RSS ${peak.toFixed(0)} MB (before landing ${before.toFixed(0)} MB, DuckDB limit ${o.memoryLimit})`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(
    path.join(RESULTS_DIR, 'soak.json'),
    `${JSON.stringify({ suite: 'soak', results: [{ id: 'soak-big-csv', area: 'Faults', tried: `bench/soak-bigfile.ts: one ${(size / 1e6).toFixed(0)} MB portal CSV (${rows.toLocaleString('en')} rows${o.windows1258 ? ', Windows-1258' : ''}), DuckDB memory limit ${o.memoryLimit}`, happened: `landed ${s.rowsLanded.toLocaleString('en')} of ${s.rowsRead.toLocaleString('en')} rows in ${seconds.toFixed(0)} s; peak RSS ${peak.toFixed(0)} MB (${before.toFixed(0)} MB before landing: staging holds the file in memory)`, kept: 'every row' }] }, null, 2)}\n`,
  );
  if (s.rowsRead !== rows || s.rowsLanded !== rows) throw new Error(`[pipeline] [soak] Failed to land every row: ${s.rowsRead} read, ${s.rowsLanded} landed of ${rows}`);
  if (peak > o.budgetMb) throw new Error(`[pipeline] [soak] Failed to stay within ${o.budgetMb} MB: peak RSS ${peak.toFixed(0)} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
