/**
 * Mapping profiles: a small JSON file (profiles/<name>.json, validated here) that maps one vendor's
 * dossier export to the canonical dossier (docs/data-contracts.md §2.9). The profile says which
 * header holds which canonical field (headers are matched after NFC, case and diacritic folding and
 * collapsed spaces), how its dates are written, its status, channel and result code tables, and for
 * an XLSX the sheet and the header row. The VALUES are mapped in SQL (sql/landing/dossiers_profile.sql),
 * never row by row here: this module only decides which column is which.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createError } from '../errors.js';
import { DossierSource, DossierStatus, ResultType } from '../schemas/index.js';

/**
 * The directory of the shipped profiles: PIPELINE_PROFILES_DIR when set (a Lambda bundle carries its
 * copy), else profiles/ at the repository root.
 */
export const PROFILES_DIR = process.env.PIPELINE_PROFILES_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../profiles');

/** Canonical fields a profile may map a column to (the `<field>_src` columns of `profile_raw`). */
export const PROFILE_FIELDS = [
  'dossier_id',
  'procedure_code',
  'procedure_name',
  'agency_code',
  'agency_name',
  'channel',
  'received_at',
  'due_at',
  'finished_at',
  'returned_at',
  'status',
  'supplement_days',
  'supplement_requested_at',
  'supplement_received_at',
  'result_type',
  'deleted_at',
  'is_fee_bearing',
  'is_paid_online',
  'is_digitised',
  'has_e_result',
  'is_synced',
  'has_complaint',
  'updated_at',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

const BOOL_FIELDS = ['is_fee_bearing', 'is_paid_online', 'is_digitised', 'has_e_result', 'is_synced', 'has_complaint'] as const;

export const Profile = z
  .object({
    /** File name without .json; also the drop folder exports/<name>/. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    format: z.enum(['xlsx', 'csv']),
    /** The canonical source the rows land under (NSW dossiers get the NSW- id prefix). */
    source: DossierSource.default('portal'),
    /** XLSX: the sheet, by name or 1-based position in the workbook's list of sheets (every tab counts); default the one sheet whose header maps every required field (two such sheets refuse the file: chooseSheet). */
    sheet: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
    /** 1-based row (sheet row / CSV line) of the header; default: the best-matching of the first 30 rows. */
    header_row: z.number().int().min(1).optional(),
    /** Rows right after the header that are not data (a column-number row "(1) (2) …"). */
    skip_after_header: z.number().int().min(0).default(0),
    /** CSV separator. */
    delimiter: z.string().length(1).default(','),
    /** Order of day, month and year in the export's dates (ISO dates and Excel date cells always read). */
    dates: z.enum(['dmy', 'ymd']).default('dmy'),
    /**
     * Which due date the export holds: `original` (as set at receipt; supplement waits are in
     * supplement_days or the supplement dates) or `reset` (re-set after a supplement wait, as the vendor
     * system does: then the wait is already inside it and is not subtracted again).
     */
    due_date: z.enum(['original', 'reset']).default('original'),
    /** An empty due date means a procedure without one (not a missing value). */
    empty_due_means_none: z.boolean().default(true),
    /** No status column: processing unless processed (finished date) or handed over (returned date). */
    status_from_dates: z.boolean().default(false),
    /** Canonical field → the header names that hold it (first match wins). */
    columns: z.partialRecord(z.enum(PROFILE_FIELDS), z.array(z.string().min(1)).min(1)),
    codes: z
      .object({
        status: z.record(z.string(), DossierStatus).default({}),
        channel: z.record(z.string(), z.union([z.literal(1), z.literal(2), z.literal(3)])).default({}),
        result_type: z.record(z.string(), ResultType).default({}),
        yes: z.array(z.string()).default(['có', 'x', 'true', '1']),
        no: z.array(z.string()).default(['không', 'false', '0', '']),
      })
      .default({ status: {}, channel: {}, result_type: {}, yes: ['có', 'x', 'true', '1'], no: ['không', 'false', '0', ''] }),
    /** Values for fields the export does not carry. */
    defaults: z
      .object({
        channel: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
        /** Unset: the catalogue's fee flag (as for NSW exports). */
        is_fee_bearing: z.boolean().optional(),
      })
      .default({}),
  })
  .superRefine((p, ctx) => {
    const has = (f: ProfileField): boolean => p.columns[f] !== undefined;
    const need = (ok: boolean, message: string): void => {
      if (!ok) ctx.addIssue({ code: 'custom', path: ['columns'], message });
    };
    need(has('dossier_id'), 'maps no column to dossier_id');
    need(has('procedure_code') || has('procedure_name'), 'maps no column to procedure_code or procedure_name');
    need(has('agency_code') || has('agency_name'), 'maps no column to agency_code or agency_name');
    need(has('received_at'), 'maps no column to received_at');
    need(has('channel') || p.defaults.channel !== undefined, 'maps no column to channel and has no defaults.channel');
    need(has('status') || p.status_from_dates, 'maps no column to status and status_from_dates is false');
  });
export type Profile = z.infer<typeof Profile>;

/** Fields without which no row can land (one of each group). */
export function requiredGroups(p: Profile): ProfileField[][] {
  const groups: ProfileField[][] = [['dossier_id'], ['procedure_code', 'procedure_name'], ['agency_code', 'agency_name'], ['received_at']];
  if (p.defaults.channel === undefined) groups.push(['channel']);
  if (!p.status_from_dates) groups.push(['status']);
  return groups;
}

/**
 * The folded form of a header or a code: NFC, đ → d, diacritics removed, lower case, runs of spaces
 * (any Unicode space, line breaks in a wrapped header cell) made one, trimmed. sql/landing/dossiers_profile.sql
 * folds codes the same way.
 */
export function fold(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[đĐ]/gu, 'd')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\s\u00a0\u200b\ufeff]+/gu, ' ')
    .trim();
}

export function parseProfile(json: unknown, where: string): Profile {
  const r = Profile.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ');
    throw createError('profile', `Failed to read the mapping profile ${where}: ${issues}`);
  }
  return r.data;
}

/** Every profile of a directory (default: the shipped ones), by name. */
export async function loadProfiles(dir: string = PROFILES_DIR): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>();
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const p = parseProfile(JSON.parse(await readFile(path.join(dir, f), 'utf8')), f);
    if (`${p.name}.json` !== f) throw createError('profile', `Failed to read the mapping profile ${f}: its name is "${p.name}", the file must be ${p.name}.json`);
    out.set(p.name, p);
  }
  return out;
}

/** A profile by name, or by path to a .json file. */
export async function loadProfile(nameOrPath: string, dir: string = PROFILES_DIR): Promise<Profile> {
  if (nameOrPath.endsWith('.json')) return parseProfile(JSON.parse(await readFile(nameOrPath, 'utf8')), path.basename(nameOrPath));
  const all = await loadProfiles(dir);
  const p = all.get(nameOrPath);
  if (!p) throw createError('profile', `Failed to find the mapping profile "${nameOrPath}": the shipped ones are ${[...all.keys()].join(', ')}`);
  return p;
}

/** Which column (0-based) holds each mapped field, and what could not be matched. */
export interface HeaderMatch {
  /** field → 0-based column index */
  columns: Partial<Record<ProfileField, number>>;
  /** Required fields (one of each group) no header matched. */
  missing: ProfileField[][];
  /** Optional fields the profile maps whose header is absent (they get their defaults). */
  absent: ProfileField[];
  /** Headers of the file no field claims (ignored). */
  unmapped: string[];
}

export function matchHeaders(p: Profile, headers: readonly string[]): HeaderMatch {
  const folded = headers.map((h) => fold(h));
  const columns: HeaderMatch['columns'] = {};
  const used = new Set<number>();
  for (const field of PROFILE_FIELDS) {
    const names = p.columns[field];
    if (!names) continue;
    for (const name of names) {
      const i = folded.findIndex((h, k) => h === fold(name) && !used.has(k));
      if (i >= 0) {
        columns[field] = i;
        used.add(i);
        break;
      }
    }
  }
  const missing = requiredGroups(p).filter((g) => g.every((f) => columns[f] === undefined));
  const required = new Set(requiredGroups(p).flat());
  const absent = (Object.keys(p.columns) as ProfileField[]).filter((f) => columns[f] === undefined && !required.has(f));
  const unmapped = headers.filter((h, i) => !used.has(i) && fold(h) !== '');
  return { columns, missing, absent, unmapped };
}

/** The code tables as rows of `profile_codes` (field, folded code, canonical value). */
export function codeRows(p: Profile): { field: string; code: string; value: string }[] {
  const rows: { field: string; code: string; value: string }[] = [];
  for (const [code, value] of Object.entries(p.codes.status)) rows.push({ field: 'status', code: fold(code), value });
  for (const [code, value] of Object.entries(p.codes.channel)) rows.push({ field: 'channel', code: fold(code), value: String(value) });
  for (const [code, value] of Object.entries(p.codes.result_type)) rows.push({ field: 'result_type', code: fold(code), value });
  for (const code of p.codes.yes) rows.push({ field: 'bool', code: fold(code), value: 'true' });
  for (const code of p.codes.no) rows.push({ field: 'bool', code: fold(code), value: 'false' });
  return rows;
}

export { BOOL_FIELDS };
