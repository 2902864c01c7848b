/**
 * What a user would write instead: read each CSV export line by line in JavaScript, parse every
 * field by hand into per-partition row buffers (source × year × month), write each partition with a
 * pure-JS Parquet writer (hyparquet-writer, SNAPPY), then aggregate the buffered rows in JS
 * (agency × month: received, online, resolved on time / late, pending). No validation, no
 * quarantine, no dedupe, one aggregate instead of every mart: less work than the project does.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';

export interface NaiveParams {
  dataDir: string;
  outDir: string;
}

export interface NaiveResult {
  /** Parse every line into the row buffers (s). */
  parse: number;
  /** Write every partition with the pure-JS writer (s). */
  write: number;
  /** parse + write (s). */
  land: number;
  aggregate: number;
  total: number;
  /** Rows written to Parquet. */
  dossiers: number;
  /** Data lines without a readable reception date (not written; counted so nothing is silently lost). */
  skipped: number;
  partitions: number;
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

/** Column order and types of the written files (nullable only where the exports can be blank). */
const COLUMNS = [
  { name: 'dossier_id', type: 'STRING', nullable: false },
  { name: 'procedure_code', type: 'STRING', nullable: false },
  { name: 'agency_code', type: 'STRING', nullable: false },
  { name: 'channel', type: 'INT32', nullable: false },
  { name: 'received_at', type: 'TIMESTAMP', nullable: false },
  { name: 'due_at', type: 'TIMESTAMP', nullable: true },
  { name: 'finished_at', type: 'TIMESTAMP', nullable: true },
  { name: 'status', type: 'STRING', nullable: false },
  { name: 'supplement_days', type: 'INT32', nullable: false },
  { name: 'is_paid_online', type: 'BOOLEAN', nullable: false },
  { name: 'has_e_result', type: 'BOOLEAN', nullable: false },
] as const;

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

function toRow(source: 'portal' | 'nsw', f: string[], received: Date): Row {
  return source === 'portal'
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
}

export async function runNaive(p: NaiveParams): Promise<NaiveResult> {
  await rm(p.outDir, { recursive: true, force: true });
  const t0 = performance.now();

  // 1. Parse: every line through JS into a row buffer per partition.
  const partitions = new Map<string, Row[]>();
  let skipped = 0;
  for (const [source, dir, delim, dateCol] of [
    ['portal', path.join(p.dataDir, 'portal', 'dossiers'), ',', 4],
    ['nsw', path.join(p.dataDir, 'nsw'), ';', 6],
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
        const received = parseDate(f[dateCol] ?? '');
        if (!received) {
          skipped++;
          continue;
        }
        const key = `source=${source}/year=${received.getUTCFullYear()}/month=${received.getUTCMonth() + 1}`;
        let rows = partitions.get(key);
        if (!rows) partitions.set(key, (rows = []));
        rows.push(toRow(source, f, received));
      }
    }
  }
  const t1 = performance.now();

  // 2. Write: one Parquet file per partition with the pure-JS writer.
  let dossiers = 0;
  for (const [key, rows] of partitions) {
    const dir = path.join(p.outDir, 'landed', 'dossiers', key);
    await mkdir(dir, { recursive: true });
    await parquetWriteRows({ writer: fileWriter(path.join(dir, 'data.parquet')), rows: rows as unknown as Record<string, unknown>[], columns: COLUMNS.map((c) => ({ ...c })), codec: 'SNAPPY' });
    dossiers += rows.length;
  }
  const t2 = performance.now();

  // 3. Aggregate the buffered rows in JS.
  const agg = new Map<string, Agg>();
  for (const rows of partitions.values()) {
    for (const r of rows) {
      const ak = `${r.agency_code}|${r.received_at.getUTCFullYear()}-${String(r.received_at.getUTCMonth() + 1).padStart(2, '0')}`;
      let a = agg.get(ak);
      if (!a) agg.set(ak, (a = { received: 0, online: 0, resolved: 0, onTime: 0, late: 0, pending: 0 }));
      a.received++;
      if (r.channel === 2) a.online++;
      if (r.finished_at) {
        a.resolved++;
        if (r.due_at && r.finished_at.getTime() <= r.due_at.getTime() + r.supplement_days * 86_400_000) a.onTime++;
        else a.late++;
      } else a.pending++;
    }
  }
  const out = [...agg.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, a]) => ({ key: k, ...a }));
  await writeFile(path.join(p.outDir, 'agency_months.json'), JSON.stringify(out));
  const t3 = performance.now();
  const s = (a: number, b: number): number => (b - a) / 1000;
  return { parse: s(t0, t1), write: s(t1, t2), land: s(t0, t2), aggregate: s(t2, t3), total: s(t0, t3), dossiers, skipped, partitions: partitions.size, groups: out.length };
}

/** Rows and agency × month groups of a naive run's output, read back with DuckDB (not timed). */
export async function checkNaiveOutput(outDir: string): Promise<{ parquetRows: number; files: number; received: number }> {
  // Imported here so the naive job's own process never loads DuckDB (its peak RSS stays pure JS).
  const { DuckDb, literal } = await import('../../functions/core/engine/duckdb.js');
  const db = await DuckDb.open({});
  try {
    const glob = literal(path.join(outDir, 'landed', 'dossiers', '**', '*.parquet'));
    const parquetRows = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${glob}, hive_partitioning = true)`);
    const files = await db.scalarNumber(`SELECT count(*) FROM glob(${glob})`);
    const groups = JSON.parse(await readFile(path.join(outDir, 'agency_months.json'), 'utf8')) as { received: number }[];
    return { parquetRows, files, received: groups.reduce((n, g) => n + g.received, 0) };
  } finally {
    db.close();
  }
}
