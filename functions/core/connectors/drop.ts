/**
 * Connector for a drop directory laid out like the demo province (docs/architecture.md), as agencies
 * and the province drop their exports: registry/, portal/dossiers/ (CSV exports), nsw/, bieu06/, par/,
 * score766/, exports/<profile>/. Names decide kind and period (`list`, the plan); every planned file is
 * handed over unchanged (`pull`). Files whose names follow no rule are listed in `skipped` with the
 * reason: one bad name never blocks the rest of the drop. The nsw/ part is the NSW drop connector's
 * listing and name rules (nsw-drop.ts, the only NSW name rules), so the CLI's drop directory and the
 * pull-nsw Lambda (which downloads NSW_DROP_PREFIX to <dir>/nsw/) stage the same files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PERIOD_PATTERN } from '../lake/periods.js';
import { RAW_KINDS, type RawKind } from '../lake/sources.js';
import { loadProfiles } from '../profiles/profile.js';
import type { Connector, PayloadSink, PlanRequest, PullSummary } from './_types.js';
import { listNswFiles } from './nsw-drop.js';

export const CONNECTOR_NAME = 'drop';

export interface DropFile {
  path: string;
  kind: RawKind;
  period: string | null;
  /** dossier-export: the mapping profile (the folder under exports/). */
  profile?: string;
}

/** A drop file that is not staged, and why (an unknown name, a bad NSW path). */
export interface SkippedDropFile {
  /** Relative to the drop directory. */
  file: string;
  reason: string;
}

export interface DropPlan {
  files: DropFile[];
  skipped: SkippedDropFile[];
}

/**
 * What each file of a drop directory is, by where it lies and its name. Files whose names follow no
 * rule are listed in `skipped` with the reason; `planDrop` gives the files alone.
 */
export async function planDropDir(dir: string): Promise<DropPlan> {
  const out: DropFile[] = [];
  const skipped: SkippedDropFile[] = [];
  const rules: { sub: string; test: RegExp; kind: RawKind; period: (m: RegExpExecArray) => string | null }[] = [
    { sub: 'registry', test: /^agencies\.csv$/, kind: 'registry-agencies', period: () => null },
    { sub: 'registry', test: /^procedures\.csv$/, kind: 'registry-procedures', period: () => null },
    { sub: 'portal/dossiers', test: /^(\d{4}-\d{2})\.csv$/, kind: 'portal-csv', period: (m) => m[1]! },
    { sub: 'bieu06', test: /^bieu06_(\d{4})(?:_q\d)?\.xlsx$/i, kind: 'bieu06-xlsx', period: (m) => m[1]! },
    { sub: 'par', test: /^par_(\d{4})\.xlsx$/i, kind: 'par-xlsx', period: (m) => m[1]! },
    { sub: 'score766', test: /^(\d{4}-\d{2})\.json$/, kind: 'score766-legacy', period: (m) => m[1]! },
    { sub: 'score766', test: /^(\d{4}-\d{2})\.metrics\.json$/, kind: 'score766-metrics', period: (m) => m[1]! },
  ];
  // nsw/<agency_code>/<yyyy-mm>.csv: the NSW drop connector's own listing and name rules.
  const nsw = await planNswDrop(path.join(dir, 'nsw'));
  out.push(...nsw.files);
  skipped.push(...nsw.skipped);
  for (const sub of ['registry', 'portal/dossiers', 'bieu06', 'par', 'score766']) {
    for (const file of await walk(path.join(dir, sub))) {
      const name = path.basename(file);
      if (name.startsWith('.')) continue;
      const rule = rules.find((r) => r.sub === sub && r.test.test(name));
      if (!rule) {
        skipped.push({ file: path.relative(dir, file), reason: `not a known export name under ${sub}/ (see docs/data-contracts.md)` });
        continue;
      }
      const period = rule.period(rule.test.exec(name)!);
      if (period !== null && !PERIOD_PATTERN.test(period)) {
        skipped.push({ file: path.relative(dir, file), reason: `"${name}" has no valid month (see docs/data-contracts.md)` });
        continue;
      }
      out.push({ path: file, kind: rule.kind, period });
    }
  }
  // exports/<profile>/<any name>.xlsx: a vendor system's dossier export, read through that profile
  // (profiles/<profile>.json; docs/data-contracts.md §2.9). The period is the name's yyyy-mm, if any.
  const exportsDir = path.join(dir, 'exports');
  if (existsSync(exportsDir)) {
    const known = new Map([...(await loadProfiles()).values()].map((p) => [p.name, p]));
    for (const file of await walk(exportsDir)) {
      const rel = path.relative(exportsDir, file).split(path.sep);
      if (rel.some((part) => part.startsWith('.'))) continue;
      const profile = rel.length >= 2 ? known.get(rel[0]!) : undefined;
      if (!profile || profile.format !== 'xlsx' || !/\.xlsx$/i.test(file)) {
        const names = [...known.values()].filter((p) => p.format === 'xlsx').map((p) => p.name).join(', ');
        skipped.push({
          file: path.relative(dir, file),
          reason: `not exports/<profile>/<name>.xlsx with a known XLSX profile (${names}; run \`npm run cli -- inspect <file>\` to find one; see docs/data-contracts.md)`,
        });
        continue;
      }
      out.push({ path: file, kind: 'dossier-export', period: periodOfName(file), profile: profile.name });
    }
  }
  return { files: out.sort((a, b) => a.path.localeCompare(b.path)), skipped: skipped.sort((a, b) => a.file.localeCompare(b.file)) };
}

/** The period a file's name carries: its first `yyyy-mm` with a month 01–12, else its first `yyyy`, else none. */
export function periodOfName(file: string): string | null {
  const name = path.basename(file);
  return /(\d{4}-(?:0[1-9]|1[0-2]))(?!\d)/.exec(name)?.[1] ?? /(\d{4})/.exec(name)?.[1] ?? null;
}

/**
 * An NSW drop, `<agency_code>/<yyyy-mm>.csv` under `nswDir`, by the NSW drop connector's rules: the
 * files with their periods, and every other entry with its reason (hidden files such as .DS_Store are
 * ignored). Skipped names are given as `nsw/<key>`, as the drop directory holds them. A missing
 * directory is an empty drop.
 */
export async function planNswDrop(nswDir: string): Promise<DropPlan> {
  if (!existsSync(nswDir)) return { files: [], skipped: [] };
  const nsw = await listNswFiles(nswDir);
  const skipped: SkippedDropFile[] = [];
  for (const r of nsw.rejected) {
    if (r.key.split('/').some((part) => part.startsWith('.'))) continue; // hidden files (.DS_Store, .git)
    skipped.push({ file: `nsw/${r.key}`, reason: `${r.reason} (see docs/data-contracts.md)` });
  }
  return { files: nsw.files.map((f) => ({ path: f.path, kind: 'nsw-csv' as const, period: f.period })), skipped };
}

/** The files of a drop directory that will be staged (see planDropDir for the skipped ones). */
export async function planDrop(dir: string): Promise<DropFile[]> {
  return (await planDropDir(dir)).files;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export interface DropOptions {
  /** The drop directory. */
  dir: string;
  /** Only files of these kinds are handed over (all are planned and their bad names reported). */
  include?: RawKind[];
}

export interface DropRequest extends PlanRequest {
  /** The plan `list()` gave (default: list now). */
  plan?: DropPlan;
}

export interface DropConnector extends Connector<DropRequest> {
  /** The plan: every file with its kind and period, and the skipped names with their reasons. */
  list(): Promise<DropPlan>;
  pull(request: DropRequest, sink: PayloadSink): Promise<PullSummary & { skipped: SkippedDropFile[] }>;
}

export function createDropConnector(options: DropOptions): DropConnector {
  const { dir, include } = options;
  const list = () => planDropDir(dir);
  return {
    name: CONNECTOR_NAME,
    source: 'drop',
    list,
    async pull(request, sink) {
      const plan = request.plan ?? (await list());
      const periods = new Set<string>();
      const summary = { payloads: 0, rows: 0, unchanged: 0, periods: [] as string[], skipped: plan.skipped };
      for (const f of plan.files) {
        if (include && !include.includes(f.kind)) continue;
        request.signal?.throwIfAborted();
        const [bytes, st] = await Promise.all([readFile(f.path), stat(f.path)]);
        const { dataset, source, ext } = RAW_KINDS[f.kind];
        await sink({
          kind: f.kind,
          source,
          dataset,
          period: f.period,
          originalName: path.relative(dir, f.path),
          ext,
          bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          rows: null,
          ...(f.profile !== undefined ? { profile: f.profile } : {}),
          madeAt: st.mtime.toISOString(),
        });
        if (f.period) periods.add(f.period);
        summary.payloads++;
      }
      summary.periods = [...periods].sort();
      return summary;
    },
  };
}
