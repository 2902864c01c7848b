/**
 * The inspector: what a vendor export would give, before anything is staged. It guesses the mapping
 * profile from the headers (or takes the one named), says which required columns it cannot map, and
 * makes a dry run of the landing: the same SQL (dossiers_profile.sql, then dossiers_checked.sql) in a
 * scratch in-memory DuckDB against the lake's landed registry. Nothing is written to the lake.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDb } from '../engine/duckdb.js';
import { createError, PipelineInputError } from '../errors.js';
import { prepareRefs, resetBatches, setLandingParams } from '../lake/land.js';
import { readLandingSql } from '../lake/landing-sql.js';
import type { Storage } from '../storage/types.js';
import { chooseSheet, createProfileTables, EXPORT_XLSX_LIMITS, headerScanRows, loadProfileExport, noSuchSheet, peekRows, peekSheets, pickHeader, severalLists, sheetIn } from './load.js';
import { workbookSheets } from '../readers/xlsx/common.js';
import { loadProfile, loadProfiles, requiredGroups, type Profile, type ProfileField } from './profile.js';

export interface ColumnReport {
  header: string;
  /** The canonical field it maps to, or null (ignored). */
  field: ProfileField | null;
  filled: number;
  examples: string[];
}

export interface ReasonReport {
  field: string | null;
  reason: string;
  rows: number;
  firstRow: number;
  example: string | null;
}

export interface InspectReport {
  file: string;
  format: 'xlsx' | 'csv';
  /** The profile used (named or guessed), null when none can map the file. */
  profile: string | null;
  guessed: boolean;
  /**
   * Every profile of the format, with what it matched and what it misses; `sheet`, when the workbook's
   * sheets keep the profile from landing the file (the sheet it names is missing, or it names none and
   * several sheets hold its list), says why.
   */
  candidates: { profile: string; headerRow: number | null; matched: number; missing: string[]; sheet?: string }[];
  headerRow: number | null;
  /** Required fields (one of each group) without a column, for the profile used or the best candidate. */
  missing: string[];
  columns: ColumnReport[];
  /** Optional fields the profile maps that the file lacks (their defaults apply). */
  absent: string[];
  rows: number;
  landed: number;
  quarantined: number;
  reasons: ReasonReport[];
  /** A few rows as they would land (canonical fields). */
  sample: Record<string, unknown>[];
  /** False when the lake has no registry: agency and procedure codes were not checked. */
  registryChecked: boolean;
}

const REGISTRY_REASONS = ['unknown agency code', 'unknown procedure code', 'agency did not exist on the received date'];

export async function inspectExport(opts: {
  path: string;
  profile?: string;
  storage: Storage;
  workDir: string;
  /** Newest plausible record time; default now + 1 day. */
  maxTimestamp?: string;
}): Promise<InspectReport> {
  const file = path.basename(opts.path);
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.xlsx' && ext !== '.csv') throw PipelineInputError.refusingNoFile('inspect', file, 'is neither an .xlsx nor a .csv export');
  const format = ext === '.xlsx' ? 'xlsx' : 'csv';
  const named = opts.profile ? await loadProfile(opts.profile) : undefined;
  if (named && named.format !== format) throw PipelineInputError.refusingNoFile('inspect', file, `the profile "${named.name}" reads ${named.format} files, not ${format}`);
  const profiles = named ? [named] : [...(await loadProfiles()).values()].filter((p) => p.format === format);
  const workDir = path.resolve(opts.workDir, `inspect-${process.pid}`);
  await mkdir(workDir, { recursive: true });
  const db = await DuckDb.open({ tempDirectory: path.join(workDir, 'spill') });
  try {
    // Guess: the profile whose header matches most fields with no required one missing.
    const peeks = new Map<string, { row: number; cells: string[] }[]>();
    const candidates: (InspectReport['candidates'][number] & { p: Profile; header?: ReturnType<typeof pickHeader> })[] = [];
    let sheets: string[] | undefined;
    let workbook: Awaited<ReturnType<typeof peekSheets>> | undefined;
    for (const p of profiles) {
      // A profile naming a sheet the workbook lacks reads nothing: it says so, not that every column is missing.
      if (format === 'xlsx' && p.sheet !== undefined) {
        sheets ??= await workbookSheets(opts.path, { file, scope: 'inspect', limits: EXPORT_XLSX_LIMITS });
        if (sheetIn(sheets, p.sheet) === undefined) {
          candidates.push({ profile: p.name, headerRow: null, matched: 0, missing: requiredGroups(p).map((g) => g.join(' or ')), sheet: noSuchSheet(sheets, p.sheet), p });
          continue;
        }
      }
      let header: ReturnType<typeof pickHeader>;
      if (format === 'xlsx' && p.sheet === undefined) {
        // No sheet named: the one sheet whose header maps every required field, as the land reads it.
        workbook ??= await peekSheets(opts.path, file, Math.max(...profiles.map(headerScanRows)));
        const choice = chooseSheet(p, workbook.peeks);
        if ('several' in choice) {
          // Its columns all map (it ranks above a profile that misses some), but it cannot land the file as it is.
          candidates.push({ profile: p.name, headerRow: choice.header.row, matched: Object.keys(choice.header.match.columns).length, missing: [], sheet: severalLists(choice.several), p });
          continue;
        }
        header = 'header' in choice ? choice.header : choice.partial?.header;
      } else {
        const rows = headerScanRows(p);
        const key = `${String(p.sheet ?? '')}|${p.delimiter}|${rows}`;
        if (!peeks.has(key)) peeks.set(key, await peekRows(db, opts.path, format, { file, sheet: p.sheet, delimiter: p.delimiter, rows }));
        header = pickHeader(p, peeks.get(key)!);
      }
      const missing = header ? header.match.missing.map((g) => g.join(' or ')) : requiredGroups(p).map((g) => g.join(' or '));
      candidates.push({ profile: p.name, headerRow: header?.row ?? null, matched: header ? Object.keys(header.match.columns).length : 0, missing, p, header });
    }
    candidates.sort((a, b) => Number(a.missing.length > 0 || a.sheet !== undefined) - Number(b.missing.length > 0 || b.sheet !== undefined) || b.matched - a.matched || a.profile.localeCompare(b.profile));
    const best = candidates[0];
    // A candidate with a sheet problem (the sheet named is missing, or several sheets hold the list) cannot land the file.
    const usable = best && best.missing.length === 0 && best.sheet === undefined ? best : undefined;
    const report: InspectReport = {
      file,
      format,
      profile: usable?.profile ?? null,
      guessed: !named,
      candidates: candidates.map(({ profile, headerRow, matched, missing, sheet }) => ({ profile, headerRow, matched, missing, ...(sheet !== undefined ? { sheet } : {}) })),
      headerRow: best?.headerRow ?? null,
      missing: best?.missing ?? [],
      columns: [],
      absent: best?.header?.match.absent ?? [],
      rows: 0,
      landed: 0,
      quarantined: 0,
      reasons: [],
      sample: [],
      registryChecked: false,
    };
    if (best?.header) {
      const byIndex = new Map(Object.entries(best.header.match.columns).map(([f, i]) => [i, f as ProfileField]));
      report.columns = best.header.cells.map((h, i) => ({ header: h, field: byIndex.get(i) ?? null, filled: 0, examples: [] }));
    } else {
      // No profile found its header: the file's own headers are still what the user needs to write one —
      // the first of the scanned rows with the most cells filled (a title row above has one).
      const scanned = [...peeks.values()][0] ?? [...(workbook?.peeks.values() ?? [])][0]?.rows ?? [];
      const filled = (r: { cells: string[] }): number => r.cells.filter((c) => c.trim() !== '').length;
      const likely = scanned.reduce<{ row: number; cells: string[] } | undefined>((a, r) => (a === undefined || filled(r) > filled(a) ? r : a), undefined);
      if (likely && filled(likely) > 0) report.columns = likely.cells.map((h) => ({ header: h, field: null, filled: 0, examples: [] }));
    }
    if (!usable) return report;

    // Dry run: the landing's own tables and SQL, in this scratch database only.
    await resetBatches(db);
    await prepareRefs(db, opts.storage, workDir);
    report.registryChecked = (await db.scalarNumber('SELECT least((SELECT count(*) FROM ref_agencies), (SELECT count(*) FROM ref_procedures))')) > 0;
    const maxTs = opts.maxTimestamp ?? new Date(Date.now() + 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await setLandingParams(db, maxTs);
    await db.run('CREATE OR REPLACE TEMP TABLE landed_dossier_ids (dossier_id VARCHAR, source VARCHAR, year INTEGER, month INTEGER)');
    await db.run('CREATE OR REPLACE TEMP VIEW ref_dossier_ids AS SELECT dossier_id, source, year, month FROM landed_dossier_ids');
    await createProfileTables(db);
    const loaded = await loadProfileExport(db, { fileNo: 0, localPath: opts.path, file, profile: usable.p, workDir });
    await db.run(`CREATE OR REPLACE TEMP TABLE parsed_chunk AS ${await readLandingSql('dossiers_profile')}`);
    await db.run('CREATE OR REPLACE TEMP VIEW landing_parsed AS SELECT * FROM parsed_chunk');
    await db.run(`CREATE OR REPLACE TEMP TABLE landing_checked AS ${await readLandingSql('dossiers_checked')}`);

    report.rows = loaded.rowsRead;
    report.landed = await db.scalarNumber('SELECT count(*) FROM landing_checked WHERE is_valid');
    report.quarantined = report.rows - report.landed;
    // Fill and examples of every column of the file, from the rows as read (raw_record).
    for (const c of report.columns) {
      if (c.header.trim() === '') continue;
      const r = await db.all(
        `WITH v AS (SELECT row_no, json_extract_string(raw_record, $path) AS x FROM profile_raw)
         SELECT count(*) FILTER (WHERE coalesce(trim(x), '') <> '') AS filled,
                (SELECT list(x ORDER BY first_row) FROM (SELECT x, min(row_no) AS first_row FROM v WHERE coalesce(trim(x), '') <> '' GROUP BY x ORDER BY first_row LIMIT 3)) AS ex
         FROM v`,
        { path: `$."${c.header.normalize('NFC').replace(/^\ufeff/, '').replaceAll('"', '\\"')}"` },
      );
      c.filled = Number(r[0]?.filled ?? 0);
      c.examples = ((r[0]?.ex as unknown[] | null) ?? []).map(String);
    }
    await db.run(`CREATE OR REPLACE TEMP VIEW landing_failed AS ${await readLandingSql('dossiers_failed')}`);
    const reasons = await db.all(
      `SELECT nullif(failed_field, '') AS field, failed_reason AS reason, count(*) AS n, min(row_no) AS first_row, arg_min(failed_value, row_no) AS example
       FROM landing_failed GROUP BY ALL ORDER BY n DESC, reason`,
    );
    report.reasons = reasons.map((r) => ({
      field: r.field === null ? null : String(r.field),
      reason: String(r.reason),
      rows: Number(r.n),
      firstRow: Number(r.first_row),
      example: r.example === null ? null : String(r.example),
    }));
    report.sample = (
      await db.all(
        `SELECT dossier_id, procedure_code, agency_code, channel, strftime(received_at, '%Y-%m-%d %H:%M') AS received_at,
                strftime(due_at, '%Y-%m-%d %H:%M') AS due_at, strftime(finished_at, '%Y-%m-%d %H:%M') AS finished_at,
                strftime(returned_at, '%Y-%m-%d %H:%M') AS returned_at, status, supplement_days, result_type,
                strftime(deleted_at, '%Y-%m-%d %H:%M') AS deleted_at
         FROM landing_checked WHERE is_valid ORDER BY row_no LIMIT 3`,
      )
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    return report;
  } finally {
    db.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);

/** The report as the CLI prints it. */
export function formatInspect(r: InspectReport): string {
  const out: string[] = [];
  out.push(`${r.file} (${r.format})`);
  if (!r.profile) {
    out.push(`No mapping profile can read it.`);
    for (const c of r.candidates) {
      out.push(c.sheet !== undefined ? `  ${c.profile}: ${c.sheet}` : `  ${c.profile}: ${c.matched} column(s) matched${c.headerRow ? ` (header row ${c.headerRow})` : ''}; no column for ${c.missing.join(', ')}`);
    }
    if (r.columns.length > 0) {
      out.push(`Columns of the file${r.headerRow ? ` (header row ${r.headerRow})` : ''}: ${r.columns.map((c) => c.header).filter((h) => h.trim() !== '').join(' | ')}`);
    }
    out.push(
      r.candidates[0]?.sheet !== undefined
        ? `Name the sheet to land in the profile's "sheet" (profiles/<name>.json, docs/data-contracts.md §2.9), or export each list as a file of its own, then inspect again.`
        : 'Add the missing headers to a profile (profiles/<name>.json, docs/data-contracts.md §2.9) or export those columns, then inspect again.',
    );
    return out.join('\n');
  }
  out.push(`Profile: ${r.profile}${r.guessed ? ' (guessed from the headers)' : ''}, header row ${r.headerRow}`);
  out.push(`Rows: ${r.rows}; would land ${r.landed}, would be quarantined ${r.quarantined} (nothing staged)`);
  if (!r.registryChecked) out.push('Note: the lake has no landed registry: agency and procedure codes are reported unknown below; land registry/ first for a real check.');
  out.push('', 'Columns (fill, examples) → canonical field:');
  for (const c of r.columns) {
    if (c.header.trim() === '') continue;
    out.push(`  ${c.header} — ${pct(c.filled, r.rows)}${c.examples.length ? ` e.g. ${c.examples.map((e) => JSON.stringify(e)).join(', ')}` : ''} → ${c.field ?? '(ignored)'}`);
  }
  if (r.absent.length > 0) out.push(`Not in the file (defaults apply): ${r.absent.join(', ')}`);
  if (r.reasons.length > 0) {
    out.push('', 'Would be quarantined:');
    for (const q of r.reasons) {
      const registry = !r.registryChecked && REGISTRY_REASONS.includes(q.reason) ? ' (no registry landed)' : '';
      out.push(`  ${q.rows} row(s): ${q.field ?? '(record)'}: ${q.reason}${registry} — first at row ${q.firstRow}${q.example !== null ? `, value ${JSON.stringify(q.example)}` : ''}`);
    }
  }
  if (r.sample.length > 0) {
    out.push('', 'As it would land (first rows):');
    for (const s of r.sample) out.push(`  ${Object.entries(s).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  }
  return out.join('\n');
}

export function assertInspectable(r: InspectReport): void {
  if (!r.profile) throw createError('inspect', `Failed to map ${r.file}: no profile matches (${r.candidates.map((c) => `${c.profile}: ${c.sheet ?? `no ${c.missing.join(', ')}`}`).join('; ')})`);
}
