/**
 * The deterministic demo province: `generateDemo` writes data/demo/ as described in
 * docs/architecture.md ("The demo province on disk") in the formats of docs/data-contracts.md.
 *
 * Same options → byte-identical files (seeded PRNG, no clock, fixed XLSX dates). Dossiers are drawn
 * and written one month of receipt at a time, with Biểu 06 and 766 counters accumulated on the way,
 * so memory is bounded by one month whatever `dossiers` is (10 million works).
 */
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { VendorExports } from './exports.js';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { writeBieu06Xlsx } from '../core/readers/xlsx/bieu06.js';
import { writeParXlsx } from './par-xlsx.js';
import { createError } from '../core/errors.js';
import { Bieu06Counter, buildPeriods, periodEndIso, periodStartIso, type Period } from './bieu06.js';
import { DateFormats, monthEndDay, monthKey } from './calendar.js';
import { BOM, CRLF, NSW_DOSSIER_HEADER, PORTAL_DOSSIER_HEADER } from './csv.js';
import { generateMonth, monthWeight, nswLine, portalLine, type GenDossier } from './dossiers.js';
import { buildParTables } from './par.js';
import { apportion, cumulate } from './prng.js';
import { agenciesCsv, buildRegistry, PROVINCE_CODE, PROVINCE_NAME, proceduresCsv, type Registry } from './registry.js';
import { loadScore766Indicators, Score766Counter } from './score766.js';
import { AS_OF } from './world.js';

export const GENERATOR_VERSION = '1.0.0';
export const SYNTHETIC_LABEL = 'Dữ liệu mô phỏng (tỉnh demo)';
export const DEFAULT_SEED = 766;
export const DEFAULT_DOSSIERS = 400_000;
/** 766 scores are published from 01/8/2022. */
export const SCORE766_START = { year: 2022, month: 8 } as const;

export const GenerateOptions = z.object({
  outDir: z.string().min(1),
  seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_SEED),
  dossiers: z.number().int().min(0).max(200_000_000).default(DEFAULT_DOSSIERS),
  fromYear: z.number().int().min(2019).max(2025).default(2019),
  toYear: z.number().int().min(2019).max(2025).default(2025),
});

export interface GenerateDemoOptions {
  outDir: string;
  seed?: number;
  /** Total dossiers over all months and both sources (portal + NSW); default 400 000. */
  dossiers?: number;
  fromYear?: number;
  toYear?: number;
  /** Called after each month of dossiers: (months done, months total). */
  onProgress?: (done: number, total: number) => void;
}

export interface AgencyMonthCount {
  agency_code: string;
  /** Month of receipt, YYYY-MM. */
  month: string;
  source: 'portal' | 'nsw';
  dossiers: number;
}

export interface Bieu06SheetSummary {
  file: string;
  periodType: 'quarter' | 'year';
  year: number;
  periodNo: number;
  /** Sum over all rows of c3…c13. */
  totals: number[];
}

export interface GenerateSummary {
  outDir: string;
  seed: number;
  dossiers: number;
  portalDossiers: number;
  nswDossiers: number;
  /** Dossiers still pending as of the data date. */
  pendingAsOf: number;
  fromYear: number;
  toYear: number;
  asOf: string;
  /** Per agency code at receipt × month of receipt × source. */
  perAgencyMonth: AgencyMonthCount[];
  bieu06: Bieu06SheetSummary[];
  /** Every file written, relative to outDir with '/' separators, sorted. */
  files: { path: string; bytes: number }[];
  totalBytes: number;
}

const OWNED = ['meta.json', 'registry', 'portal', 'nsw', 'bieu06', 'score766', 'par', 'exports'];
const CHUNK_LINES = 4096;

async function writeLines(path: string, header: string, lines: Iterable<string>): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let buf: string[] = [header];
    for (const line of lines) {
      buf.push(line);
      if (buf.length >= CHUNK_LINES) {
        await fh.write(buf.join(''));
        buf = [];
      }
    }
    if (buf.length > 0) await fh.write(buf.join(''));
  } finally {
    await fh.close();
  }
}

export async function generateDemo(options: GenerateDemoOptions): Promise<GenerateSummary> {
  const parsed = GenerateOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw createError('generator', `Failed to generate the demo province: option "${String(issue?.path[0] ?? '')}" ${issue?.message ?? 'is invalid'}`);
  }
  const { outDir, seed, dossiers, fromYear, toYear } = parsed.data;
  if (fromYear > toYear) throw createError('generator', `Failed to generate the demo province: fromYear ${fromYear} is after toYear ${toYear}`);
  const table = loadScore766Indicators();

  for (const name of OWNED) await rm(join(outDir, name), { recursive: true, force: true });
  await mkdir(join(outDir, 'registry'), { recursive: true });

  const reg = buildRegistry(seed);
  await writeFile(join(outDir, 'registry', 'agencies.csv'), agenciesCsv(reg));
  await writeFile(join(outDir, 'registry', 'procedures.csv'), proceduresCsv(reg));

  // Dossiers, month by month.
  const months: { year: number; month: number }[] = [];
  for (let y = fromYear; y <= toYear; y++) for (let m = 1; m <= 12; m++) months.push({ year: y, month: m });
  const perMonth = apportion(
    dossiers,
    months.map((m) => monthWeight(m.year, m.month)),
  );
  const procCumulative = cumulate(reg.procedures.map((p) => p.weight));
  const nswAgencies = [...new Set(reg.procedures.filter((p) => p.row.is_nsw).map((p) => p.agencyIndex))];
  const { quarters, years } = buildPeriods(fromYear, toYear);
  const quarterCounter = new Bieu06Counter(quarters, reg);
  const yearCounter = new Bieu06Counter(years, reg);
  const scoreCounter = toYear >= SCORE766_START.year ? new Score766Counter(reg, Math.max(fromYear, SCORE766_START.year), fromYear > SCORE766_START.year ? 1 : SCORE766_START.month, toYear) : null;
  const fmt = new DateFormats();
  const counts = new Map<string, number>();
  let portalDossiers = 0;
  let nswDossiers = 0;
  let pendingAsOf = 0;
  // Two agencies' portal dossiers are exported only in vendor shapes (exports.ts), one file per year.
  const vendorExports = new VendorExports(outDir, reg, fmt, `${SYNTHETIC_LABEL} — không phải số liệu thật.`);

  for (const [mi, { year, month }] of months.entries()) {
    if (month === 1) await vendorExports.closeAll();
    const batch = generateMonth(reg, seed, year, month, perMonth[mi] ?? 0, procCumulative);
    const key = monthKey(year, month);
    const portal: GenDossier[] = [];
    const nswByAgency = new Map<number, GenDossier[]>();
    for (const d of batch) {
      quarterCounter.add(d);
      yearCounter.add(d);
      scoreCounter?.add(d);
      if (d.finishedMin < 0) pendingAsOf++;
      const code = reg.agencies[d.agency]?.row.agency_code ?? '';
      const ck = `${code}|${key}|${d.nsw ? 'nsw' : 'portal'}`;
      counts.set(ck, (counts.get(ck) ?? 0) + 1);
      if (d.nsw) {
        let list = nswByAgency.get(d.agency);
        if (!list) nswByAgency.set(d.agency, (list = []));
        list.push(d);
        nswDossiers++;
      } else {
        portalDossiers++;
        if (VendorExports.holds(code)) {
          vendorExports.add(code, year, d);
        } else {
          portal.push(d);
        }
      }
    }
    const portalDir = join(outDir, 'portal', 'dossiers', String(year));
    await mkdir(portalDir, { recursive: true });
    await writeLines(join(portalDir, `${key}.csv`), BOM + PORTAL_DOSSIER_HEADER.join(',') + CRLF, (function* () {
      for (const d of portal) yield portalLine(d, reg, fmt);
    })());
    const monthEnd = monthEndDay(year, month);
    const holders = new Set(nswAgencies.map((a) => reg.holderOf(a, monthEnd)));
    for (const a of holders) {
      const code = reg.agencies[a]?.row.agency_code ?? '';
      const dir = join(outDir, 'nsw', code);
      await mkdir(dir, { recursive: true });
      const list = nswByAgency.get(a) ?? [];
      await writeLines(join(dir, `${key}.csv`), BOM + NSW_DOSSIER_HEADER.join(';') + CRLF, (function* () {
        let stt = 0;
        for (const d of list) yield nswLine(d, ++stt, reg, fmt);
      })());
    }
    options.onProgress?.(mi + 1, months.length);
  }

  await vendorExports.closeAll();

  // Biểu 06 per quarter and per year.
  await mkdir(join(outDir, 'bieu06'), { recursive: true });
  const bieu06: Bieu06SheetSummary[] = [];
  for (const counter of [quarterCounter, yearCounter]) {
    for (const [p, period] of counter.periods.entries()) {
      const orphans = counter.orphans(p);
      if (orphans > 0) throw createError('generator', `Failed to build Biểu 06 ${period.type} ${period.no}/${period.year}: ${orphans} dossiers under units not valid on the period end`);
      const file = period.type === 'quarter' ? `bieu06/bieu06_${period.year}_q${period.no}.xlsx` : `bieu06/bieu06_${period.year}.xlsx`;
      const bands = counter.rows(p).map((b) => ({ name: b.band, rows: b.rows }));
      await writeBieu06Xlsx(join(outDir, file), {
        provinceName: PROVINCE_NAME,
        periodType: period.type,
        year: period.year,
        periodNo: period.no,
        periodStart: periodStartIso(period),
        periodEnd: periodEndIso(period),
        bands,
        note: `${SYNTHETIC_LABEL} — không phải số liệu thật.`,
      });
      bieu06.push({ file, periodType: period.type, year: period.year, periodNo: period.no, totals: sumRows(bands) });
    }
  }

  // 766 per month (legacy answer + sub-indicator metrics).
  if (scoreCounter) {
    await mkdir(join(outDir, 'score766'), { recursive: true });
    for (const [i, m] of scoreCounter.months.entries()) {
      const { legacy, metrics } = scoreCounter.score(i, seed, table);
      const key = monthKey(m.year, m.month);
      await writeFile(join(outDir, 'score766', `${key}.json`), JSON.stringify(legacy));
      await writeFile(join(outDir, 'score766', `${key}.metrics.json`), `${JSON.stringify(metrics, null, 2)}\n`);
    }
  }

  // PAR per year.
  await mkdir(join(outDir, 'par'), { recursive: true });
  for (const t of buildParTables(reg, seed, fromYear, toYear)) await writeParXlsx(join(outDir, 'par', `par_${t.year}.xlsx`), t);

  const total = portalDossiers + nswDossiers;
  await writeFile(
    join(outDir, 'meta.json'),
    `${JSON.stringify(
      {
        synthetic: true,
        label: SYNTHETIC_LABEL,
        seed,
        dossiers: total,
        portalDossiers,
        nswDossiers,
        pendingAsOf,
        provinceCode: PROVINCE_CODE,
        provinceName: PROVINCE_NAME,
        fromYear,
        toYear,
        asOf: AS_OF,
        score766From: scoreCounter ? monthKey(scoreCounter.months[0]?.year ?? 0, scoreCounter.months[0]?.month ?? 0) : null,
        generatorVersion: GENERATOR_VERSION,
      },
      null,
      2,
    )}\n`,
  );

  const files = await listFiles(outDir);
  return {
    outDir,
    seed,
    dossiers: total,
    portalDossiers,
    nswDossiers,
    pendingAsOf,
    fromYear,
    toYear,
    asOf: AS_OF,
    perAgencyMonth: [...counts.entries()]
      .map(([k, n]) => {
        const [agency_code = '', month = '', source = 'portal'] = k.split('|');
        return { agency_code, month, source: source as 'portal' | 'nsw', dossiers: n };
      })
      .sort((a, b) => a.month.localeCompare(b.month) || a.agency_code.localeCompare(b.agency_code) || a.source.localeCompare(b.source)),
    bieu06,
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  };
}

function sumRows(bands: { rows: { c: number[] }[] }[]): number[] {
  const out = new Array<number>(11).fill(0);
  for (const b of bands) for (const r of b.rows) r.c.forEach((x, i) => (out[i] = (out[i] ?? 0) + x));
  return out;
}

async function listFiles(root: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const name of OWNED) {
    const p = join(root, name);
    const st = await stat(p).catch(() => null);
    if (!st) continue;
    if (st.isFile()) out.push({ path: name, bytes: st.size });
    else {
      const entries = await readdir(p, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        if (!e.isFile()) continue;
        const full = join(e.parentPath, e.name);
        out.push({ path: relative(root, full).split(sep).join('/'), bytes: (await stat(full)).size });
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export type { Registry, Period };
export { buildRegistry } from './registry.js';
