/**
 * What a user would write instead: read each CSV export line by line in JavaScript, parse every
 * field by hand, write partitioned Parquet with a pure-JS writer (@dsnp/parquetjs), and aggregate
 * in JS (agency × month: received, online, resolved on time / late, pending). No validation, no
 * quarantine, no dedupe, one aggregate instead of every mart: less work than the project does.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import parquet from '@dsnp/parquetjs';

export interface NaiveParams {
  dataDir: string;
  outDir: string;
}

export interface NaiveResult {
  land: number;
  aggregate: number;
  total: number;
  dossiers: number;
  groups: number;
}

/** RFC 4180 split of one line (quotes, doubled quotes); no multi-line records in these exports. */
function splitCsv(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === delim) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** 'dd/mm/yyyy HH:mm' or 'dd-mm-yyyy HH:mm:ss' → Date (wall time as UTC), or null. */
function parseDate(s: string): Date | null {
  if (!s) return null;
  const d = Number(s.slice(0, 2));
  const m = Number(s.slice(3, 5));
  const y = Number(s.slice(6, 10));
  const hh = Number(s.slice(11, 13));
  const mm = Number(s.slice(14, 16));
  const ss = s.length >= 19 ? Number(s.slice(17, 19)) : 0;
  const t = Date.UTC(y, m - 1, d, hh, mm, ss);
  return Number.isNaN(t) ? null : new Date(t);
}

const NSW_STATUS: Record<string, string> = {
  'Đang xử lý': 'DANG_XU_LY',
  'Chờ bổ sung': 'CHO_BO_SUNG',
  'Đã cấp phép': 'DA_TRA_KET_QUA',
  'Từ chối': 'TU_CHOI',
  'Đã rút': 'DA_RUT',
};

interface Row {
  dossier_id: string;
  procedure_code: string;
  agency_code: string;
  channel: number;
  received_at: Date;
  due_at: Date | null;
  finished_at: Date | null;
  status: string;
  supplement_days: number;
  is_paid_online: boolean;
  has_e_result: boolean;
}

const schema = new parquet.ParquetSchema({
  dossier_id: { type: 'UTF8' },
  procedure_code: { type: 'UTF8' },
  agency_code: { type: 'UTF8' },
  channel: { type: 'INT32' },
  received_at: { type: 'TIMESTAMP_MILLIS' },
  due_at: { type: 'TIMESTAMP_MILLIS', optional: true },
  finished_at: { type: 'TIMESTAMP_MILLIS', optional: true },
  status: { type: 'UTF8' },
  supplement_days: { type: 'INT32' },
  is_paid_online: { type: 'BOOLEAN' },
  has_e_result: { type: 'BOOLEAN' },
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.name.endsWith('.csv')) out.push(p);
  }
  return out;
}

interface Agg {
  received: number;
  online: number;
  resolved: number;
  onTime: number;
  late: number;
  pending: number;
}

export async function runNaive(p: NaiveParams): Promise<NaiveResult> {
  await rm(p.outDir, { recursive: true, force: true });
  const t0 = performance.now();
  const writers = new Map<string, parquet.ParquetWriter>();
  const agg = new Map<string, Agg>();
  let dossiers = 0;
  const add = async (source: string, r: Row): Promise<void> => {
    const y = r.received_at.getUTCFullYear();
    const m = r.received_at.getUTCMonth() + 1;
    const key = `source=${source}/year=${y}/month=${m}`;
    let w = writers.get(key);
    if (!w) {
      const dir = path.join(p.outDir, 'landed', 'dossiers', key);
      await mkdir(dir, { recursive: true });
      w = await parquet.ParquetWriter.openFile(schema, path.join(dir, 'data.parquet'), { compression: 'SNAPPY' } as never);
      writers.set(key, w);
    }
    await w.appendRow(r as unknown as Record<string, unknown>);
    const ak = `${r.agency_code}|${y}-${String(m).padStart(2, '0')}`;
    let a = agg.get(ak);
    if (!a) agg.set(ak, (a = { received: 0, online: 0, resolved: 0, onTime: 0, late: 0, pending: 0 }));
    a.received++;
    if (r.channel === 2) a.online++;
    if (r.finished_at) {
      a.resolved++;
      if (r.due_at && r.finished_at.getTime() <= r.due_at.getTime() + r.supplement_days * 86_400_000) a.onTime++;
      else a.late++;
    } else a.pending++;
    dossiers++;
  };
  for (const [source, dir, delim] of [
    ['portal', path.join(p.dataDir, 'portal', 'dossiers'), ','],
    ['nsw', path.join(p.dataDir, 'nsw'), ';'],
  ] as const) {
    for (const file of await walk(dir)) {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let header = true;
      for await (const line of lines) {
        if (header) {
          header = false;
          continue;
        }
        if (!line) continue;
        const f = splitCsv(line, delim);
        const received = source === 'portal' ? parseDate(f[4]!) : parseDate(f[6]!);
        if (!received) continue;
        const r: Row =
          source === 'portal'
            ? {
                dossier_id: f[0]!,
                procedure_code: f[1]!,
                agency_code: f[2]!,
                channel: Number(f[3]),
                received_at: received,
                due_at: parseDate(f[5]!),
                finished_at: parseDate(f[6]!),
                status: f[7]!,
                supplement_days: Number(f[8]) || 0,
                is_paid_online: f[10] === 'Có',
                has_e_result: f[12] === 'Có',
              }
            : {
                dossier_id: `NSW-${f[1]!}`,
                procedure_code: f[2]!,
                agency_code: f[4]!,
                channel: 2,
                received_at: received,
                due_at: parseDate(f[7]!),
                finished_at: parseDate(f[8]!),
                status: NSW_STATUS[f[9]!] ?? f[9]!,
                supplement_days: 0,
                is_paid_online: f[10] === 'x',
                has_e_result: f[11] === 'x',
              };
        await add(source, r);
      }
    }
  }
  for (const w of writers.values()) await w.close();
  const t1 = performance.now();
  const rows = [...agg.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, a]) => ({ key: k, ...a }));
  await writeFile(path.join(p.outDir, 'agency_months.json'), JSON.stringify(rows));
  const t2 = performance.now();
  return { land: (t1 - t0) / 1000, aggregate: (t2 - t1) / 1000, total: (t2 - t0) / 1000, dossiers, groups: rows.length };
}
