/**
 * What a user would write instead, doing the same work the project does for the same result, in
 * one JS thread: read each CSV export line by line (readline, a hand-written RFC 4180 split), build
 * every row as the canonical dossier and validate it with the project's zod `Dossier` schema
 * (functions/core/schemas) plus the registry (known agency and procedure codes); invalid rows go to a
 * quarantine list with the file, row and reason; repeated dossier ids are quarantined (the first one
 * wins); valid rows are buffered per partition (source × year × month) and written with a pure-JS
 * Parquet writer (hyparquet-writer, SNAPPY). Then the Biểu 06 columns per reporting agency and month
 * (docs/data-contracts.md §4.1–4.2: the period's holder of the agency after mergers, received online /
 * offline, carried over, resolved early / on time / late with the supplement days, pending in time /
 * overdue; withdrawn dossiers left out) are computed in JS over the buffered rows.
 *
 * Left out compared with the project: quarter / half / year periods, the 766 and PAR models, the
 * landing log and the per-file accounting tables; agencies without any dossier get no row.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileWriter, parquetWriteRows } from 'hyparquet-writer';
import { Dossier } from '../../functions/core/schemas/index.js';

export interface NaiveParams {
  dataDir: string;
  outDir: string;
}

export interface NaiveResult {
  /** Parse and validate every line into the row buffers and the quarantine list (s). */
  parse: number;
  /** Write every partition (and the quarantine list) with the pure-JS writer (s). */
  write: number;
  /** parse + write (s). */
  land: number;
  /** Biểu 06 per reporting agency and month (s). */
  aggregate: number;
  total: number;
  /** Data lines read (without headers). */
  rowsRead: number;
  /** Rows written to Parquet. */
  dossiers: number;
  /** Rows quarantined (invalid or a repeated id): rowsRead = dossiers + quarantined. */
  quarantined: number;
  partitions: number;
  /** Agency × month rows of the Biểu 06 output. */
  groups: number;
}

/** One quarantined line. */
export interface NaiveQuarantine {
  file: string;
  row: number;
  field: string;
  reason: string;
}

/** Biểu 06 columns of one reporting agency and month (docs/data-contracts.md §4.2). */
export interface NaiveBieu06Row {
  agency_code: string;
  /** 'YYYY-MM' */
  month: string;
  received_online: number;
  received_offline: number;
  received_carried_over: number;
  resolved_total: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  pending_total: number;
  pending_in_time: number;
  pending_overdue: number;
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

/** 'dd/mm/yyyy HH:mm' or 'dd-mm-yyyy HH:mm:ss' → 'YYYY-MM-DD HH:MM:SS' (checked by the schema), or null when blank. */
function parseDate(s: string): string | null {
  s = s.trim();
  if (!s) return null;
  const sec = s.length >= 19 ? s.slice(17, 19) : '00';
  return `${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)} ${s.slice(11, 13)}:${s.slice(14, 16)}:${sec}`;
}

/** Strict decimal integer (a vi-VN "1.000" is not one), else NaN for the schema to refuse. */
function parseInt10(s: string): number {
  return /^[+-]?\d{1,9}$/.test(s.trim()) ? Number(s) : Number.NaN;
}

/** 'Có' / 'Không' (portal) → boolean; anything else is left as text for the schema to refuse. */
function yesNo(s: string): boolean | string {
  const t = s.trim().normalize('NFC');
  return t === 'Có' ? true : t === 'Không' ? false : t;
}

const NSW_STATUS: Record<string, string> = {
  'Đang xử lý': 'DANG_XU_LY',
  'Chờ bổ sung': 'CHO_BO_SUNG',
  'Đã cấp phép': 'DA_TRA_KET_QUA',
  'Từ chối': 'TU_CHOI',
  'Đã rút': 'DA_RUT',
};

/** Column order and types of the written files: the canonical dossier. */
const COLUMNS = [
  { name: 'dossier_id', type: 'STRING', nullable: false },
  { name: 'source', type: 'STRING', nullable: false },
  { name: 'procedure_code', type: 'STRING', nullable: false },
  { name: 'agency_code', type: 'STRING', nullable: false },
  { name: 'channel', type: 'INT32', nullable: false },
  { name: 'received_at', type: 'TIMESTAMP', nullable: false },
  { name: 'due_at', type: 'TIMESTAMP', nullable: false },
  { name: 'finished_at', type: 'TIMESTAMP', nullable: true },
  { name: 'status', type: 'STRING', nullable: false },
  { name: 'supplement_days', type: 'INT32', nullable: false },
  { name: 'is_fee_bearing', type: 'BOOLEAN', nullable: false },
  { name: 'is_paid_online', type: 'BOOLEAN', nullable: false },
  { name: 'is_digitised', type: 'BOOLEAN', nullable: false },
  { name: 'has_e_result', type: 'BOOLEAN', nullable: false },
  { name: 'is_synced', type: 'BOOLEAN', nullable: false },
  { name: 'has_complaint', type: 'BOOLEAN', nullable: false },
  { name: 'updated_at', type: 'TIMESTAMP', nullable: false },
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


interface AgencyRef {
  valid_to: string;
  successor_code: string;
}

/** A small registry CSV (header + rows) as objects keyed by its header. */
async function readRegistry(file: string): Promise<Record<string, string>[]> {
  const lines = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  const head = splitCsv(lines[0]!, ',');
  return lines.slice(1).map((l) => {
    const f = splitCsv(l, ',');
    return Object.fromEntries(head.map((h, i) => [h, f[i] ?? '']));
  });
}

/** docs/data-contracts.md §4.1: holder(code, day) follows valid_to → successor_code. */
function holder(agencies: Map<string, AgencyRef>, code: string, day: string): string {
  let cur = code;
  for (let hops = 0; hops < 16; hops++) {
    const a = agencies.get(cur);
    if (!a || !a.valid_to || day <= a.valid_to || !a.successor_code) return cur;
    cur = a.successor_code;
  }
  return cur;
}

/** Days since 1970-01-01 of a 'YYYY-MM-DD…' string. */
function dayNo(ts: string): number {
  return Date.UTC(Number(ts.slice(0, 4)), Number(ts.slice(5, 7)) - 1, Number(ts.slice(8, 10))) / 86_400_000;
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM:SS' (local) → Date holding that wall time as UTC, as the project's TIMESTAMP columns. */
function tsDate(ts: string): Date {
  return new Date(Date.UTC(Number(ts.slice(0, 4)), Number(ts.slice(5, 7)) - 1, Number(ts.slice(8, 10)), Number(ts.slice(11, 13)), Number(ts.slice(14, 16)), Number(ts.slice(17, 19))));
}

function portalRow(f: string[]): Record<string, unknown> {
  return {
    dossier_id: f[0]!.trim(),
    source: 'portal',
    procedure_code: f[1]!.trim(),
    agency_code: f[2]!.trim(),
    channel: parseInt10(f[3]!),
    received_at: parseDate(f[4]!) ?? '',
    due_at: parseDate(f[5]!) ?? '',
    finished_at: parseDate(f[6]!),
    status: f[7]!.trim(),
    supplement_days: parseInt10(f[8]!),
    is_fee_bearing: yesNo(f[9]!),
    is_paid_online: yesNo(f[10]!),
    is_digitised: yesNo(f[11]!),
    has_e_result: yesNo(f[12]!),
    is_synced: yesNo(f[13]!),
    has_complaint: yesNo(f[14]!),
    updated_at: parseDate(f[15]!) ?? '',
  };
}

function nswRow(f: string[], feeBearing: Map<string, boolean>): Record<string, unknown> {
  const flag = (s: string): boolean | string => (s.trim() === 'x' ? true : s.trim() === '' ? false : s);
  const received = parseDate(f[6]!) ?? '';
  const finished = parseDate(f[8]!);
  const status = f[9]!.trim().normalize('NFC');
  return {
    dossier_id: f[1]!.trim(),
    source: 'nsw',
    procedure_code: f[2]!.trim(),
    agency_code: f[4]!.trim(),
    channel: 2,
    received_at: received,
    due_at: parseDate(f[7]!) ?? '',
    finished_at: finished,
    status: NSW_STATUS[status] ?? status,
    supplement_days: 0,
    is_fee_bearing: feeBearing.get(f[2]!.trim()) ?? true,
    is_paid_online: flag(f[10]!),
    is_digitised: true,
    has_e_result: flag(f[11]!),
    is_synced: true,
    has_complaint: false,
    updated_at: finished ?? received,
  };
}

/**
 * Biểu 06 per reporting agency and month (docs/data-contracts.md §4.2) over the valid dossiers.
 * Months run from the first reception to the data's last known date (the running month is counted
 * to that date), and not past the year of the last reception, as int_periods_reported does.
 */
export function bieu06Months(rows: Dossier[], agencies: Map<string, AgencyRef>): NaiveBieu06Row[] {
  if (rows.length === 0) return [];
  let firstDay = Infinity;
  let lastDay = -Infinity;
  let lastReceived = '';
  for (const d of rows) {
    const r = dayNo(d.received_at);
    firstDay = Math.min(firstDay, r);
    lastDay = Math.max(lastDay, r, d.finished_at ? dayNo(d.finished_at) : r, dayNo(d.updated_at));
    if (d.received_at > lastReceived) lastReceived = d.received_at;
  }
  const monthIdx = (iso: string): number => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
  const firstIdx = monthIdx(isoDay(firstDay));
  const lastIdx = Math.min(monthIdx(isoDay(lastDay)), Number(lastReceived.slice(0, 4)) * 12 + 11);
  const start: number[] = [];
  const end: number[] = [];
  const endIso: string[] = [];
  const label: string[] = [];
  for (let k = firstIdx; k <= lastIdx; k++) {
    const y = Math.floor(k / 12);
    const m = k % 12;
    start.push(Date.UTC(y, m, 1) / 86_400_000);
    const e = Math.min(Date.UTC(y, m + 1, 0) / 86_400_000, lastDay);
    end.push(e);
    endIso.push(isoDay(e));
    label.push(`${y}-${String(m + 1).padStart(2, '0')}`);
  }
  const groups = new Map<string, NaiveBieu06Row>();
  const holders = new Map<string, string>();
  for (const d of rows) {
    if (d.status === 'DA_RUT') continue;
    const r = dayNo(d.received_at);
    const u = dayNo(d.due_at!); // the demo's dossiers always have a due date
    const f = d.finished_at ? dayNo(d.finished_at) : null;
    const from = monthIdx(d.received_at) - firstIdx;
    const to = Math.min(f === null ? lastIdx : monthIdx(d.finished_at!), lastIdx) - firstIdx;
    for (let i = from; i <= to; i++) {
      const hk = `${d.agency_code}|${i}`;
      let agency = holders.get(hk);
      if (agency === undefined) holders.set(hk, (agency = holder(agencies, d.agency_code, endIso[i]!)));
      const gk = `${agency}|${label[i]}`;
      let g = groups.get(gk);
      if (!g) {
        groups.set(gk, (g = {
          agency_code: agency, month: label[i]!, received_online: 0, received_offline: 0, received_carried_over: 0,
          resolved_total: 0, resolved_early: 0, resolved_on_time: 0, resolved_late: 0, pending_total: 0, pending_in_time: 0, pending_overdue: 0,
        }));
      }
      if (r < start[i]!) g.received_carried_over++;
      else if (d.channel === 2) g.received_online++;
      else g.received_offline++;
      if (f !== null && f <= end[i]!) {
        g.resolved_total++;
        const net = f - d.supplement_days;
        if (net < u) g.resolved_early++;
        else if (net === u) g.resolved_on_time++;
        else g.resolved_late++;
      } else {
        g.pending_total++;
        if (u + d.supplement_days >= end[i]!) g.pending_in_time++;
        else g.pending_overdue++;
      }
    }
  }
  return [...groups.values()].sort((a, b) => (a.agency_code === b.agency_code ? a.month.localeCompare(b.month) : a.agency_code.localeCompare(b.agency_code)));
}

export async function runNaive(p: NaiveParams): Promise<NaiveResult> {
  await rm(p.outDir, { recursive: true, force: true });
  const t0 = performance.now();

  // 1. Registry, then every line through JS: parse, validate (zod + registry), dedupe, buffer per partition.
  const agencies = new Map<string, AgencyRef>();
  for (const a of await readRegistry(path.join(p.dataDir, 'registry', 'agencies.csv'))) agencies.set(a.agency_code!, { valid_to: a.valid_to!, successor_code: a.successor_code! });
  const feeBearing = new Map<string, boolean>();
  for (const q of await readRegistry(path.join(p.dataDir, 'registry', 'procedures.csv'))) feeBearing.set(q.procedure_code!, q.is_fee_bearing === 'true');
  const partitions = new Map<string, Dossier[]>();
  const quarantine: NaiveQuarantine[] = [];
  const seen = new Set<string>();
  let rowsRead = 0;
  for (const [source, dir, delim, width] of [
    ['portal', path.join(p.dataDir, 'portal', 'dossiers'), ',', 16],
    ['nsw', path.join(p.dataDir, 'nsw'), ';', 12],
  ] as const) {
    for (const file of await walk(dir)) {
      const name = path.relative(p.dataDir, file);
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let row = 0;
      for await (const line of lines) {
        if (row++ === 0) continue; // header
        if (!line) continue;
        rowsRead++;
        const f = splitCsv(line, delim);
        if (f.length !== width) {
          quarantine.push({ file: name, row: row - 1, field: '', reason: `malformed CSV record: ${f.length} fields, expected ${width}` });
          continue;
        }
        const parsed = Dossier.safeParse(source === 'portal' ? portalRow(f) : nswRow(f, feeBearing));
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          quarantine.push({ file: name, row: row - 1, field: issue.path.join('.'), reason: issue.message });
          continue;
        }
        const d = parsed.data;
        const unknown = !agencies.has(d.agency_code) ? 'agency_code' : !feeBearing.has(d.procedure_code) ? 'procedure_code' : '';
        if (unknown) {
          quarantine.push({ file: name, row: row - 1, field: unknown, reason: 'not in the registry' });
          continue;
        }
        if (seen.has(d.dossier_id)) {
          quarantine.push({ file: name, row: row - 1, field: 'dossier_id', reason: 'duplicate dossier id' });
          continue;
        }
        seen.add(d.dossier_id);
        const key = `source=${source}/year=${Number(d.received_at.slice(0, 4))}/month=${Number(d.received_at.slice(5, 7))}`;
        let rows = partitions.get(key);
        if (!rows) partitions.set(key, (rows = []));
        rows.push(d);
      }
    }
  }
  const t1 = performance.now();

  // 2. Write: one Parquet file per partition with the pure-JS writer, and the quarantine list.
  let dossiers = 0;
  for (const [key, rows] of partitions) {
    const dir = path.join(p.outDir, 'landed', 'dossiers', key);
    await mkdir(dir, { recursive: true });
    const out = rows.map((d) => ({ ...d, received_at: tsDate(d.received_at), due_at: tsDate(d.due_at!), finished_at: d.finished_at ? tsDate(d.finished_at) : null, updated_at: tsDate(d.updated_at) }));
    await parquetWriteRows({ writer: fileWriter(path.join(dir, 'data.parquet')), rows: out, columns: COLUMNS.map((c) => ({ ...c })), codec: 'SNAPPY' });
    dossiers += rows.length;
  }
  await writeFile(path.join(p.outDir, 'quarantine.json'), JSON.stringify(quarantine));
  const t2 = performance.now();

  // 3. Biểu 06 per reporting agency and month, in JS over the buffered rows.
  const bieu06 = bieu06Months([...partitions.values()].flat(), agencies);
  await writeFile(path.join(p.outDir, 'agency_months.json'), JSON.stringify(bieu06));
  const t3 = performance.now();
  const s = (a: number, b: number): number => (b - a) / 1000;
  return {
    parse: s(t0, t1), write: s(t1, t2), land: s(t0, t2), aggregate: s(t2, t3), total: s(t0, t3),
    rowsRead, dossiers, quarantined: quarantine.length, partitions: partitions.size, groups: bieu06.length,
  };
}

/** Rows and files of a naive run's output, read back with DuckDB (not timed). */
export async function checkNaiveOutput(outDir: string): Promise<{ parquetRows: number; files: number; quarantined: number }> {
  // Imported here so the naive job's own process never loads DuckDB (its peak RSS stays pure JS).
  const { DuckDb, literal } = await import('../../functions/core/engine/duckdb.js');
  const db = await DuckDb.open({});
  try {
    const glob = literal(path.join(outDir, 'landed', 'dossiers', '**', '*.parquet'));
    const parquetRows = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${glob}, hive_partitioning = true)`);
    const files = await db.scalarNumber(`SELECT count(*) FROM glob(${glob})`);
    const quarantined = (JSON.parse(await readFile(path.join(outDir, 'quarantine.json'), 'utf8')) as unknown[]).length;
    return { parquetRows, files, quarantined };
  } finally {
    db.close();
  }
}
