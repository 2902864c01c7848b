/**
 * Connector for the National Single Window (NSW) file drop (docs/data-contracts.md §2.5). The NSW publishes no
 * API: each agency downloads its CSV export from its NSW account and drops it as
 * `<dropDir>/<agency_code>/<yyyy-mm>.csv`. This connector lists and validates those names and hands
 * whole files (exact bytes) to the sink; the rows are read, typed and validated in DuckDB at landing.
 *
 * Names are checked before any file is opened: relative, '/'-separated, no '..', exactly two
 * segments, a plausible agency code and a real month. Anything else in the drop is reported in
 * `rejected` with the reason, never silently skipped.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createError } from '../errors.js';
import type { Connector, PayloadSink, PullRequest, PullSummary } from './_types.js';
import { monthsBetween } from './portal.js';

export const CONNECTOR_NAME = 'nsw-drop';

const NswDropOptionsSchema = z.object({
  dropDir: z.string().min(1),
  /** Throw when the drop holds files that do not follow the naming rule (default: report them). */
  strict: z.boolean().default(false),
});

/**
 * Options of the NSW drop connector.
 * @property dropDir Directory holding `<agency_code>/<yyyy-mm>.csv`.
 * @property strict  Fail the pull when a file in the drop breaks the naming rule (default false: listed in `rejected`).
 */
export type NswDropOptions = z.input<typeof NswDropOptionsSchema>;

export interface NswDropFile {
  /** Absolute path on disk. */
  path: string;
  /** Relative key `<agency>/<yyyy-mm>.csv`. */
  key: string;
  agencyCode: string;
  /** `YYYY-MM`. */
  period: string;
}

export interface NswDropListing {
  files: NswDropFile[];
  rejected: { key: string; reason: string }[];
}

const AGENCY_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const FILE_NAME = /^(\d{4})-(\d{2})\.csv$/i;

/** Validate a relative drop key; returns the agency and period, or the reason it is rejected. */
export function parseNswDropKey(key: string): { agencyCode: string; period: string } | { reason: string } {
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key) || key.startsWith('\\\\')) return { reason: 'absolute paths are not allowed' };
  if (key.includes('\\')) return { reason: "backslashes are not allowed; use '/'" };
  const parts = key.split('/');
  if (parts.some((p) => p === '..' || p === '.')) return { reason: "'..' and '.' segments are not allowed" };
  if (parts.length !== 2) return { reason: 'expected <agency_code>/<yyyy-mm>.csv' };
  const [agency, file] = parts as [string, string];
  if (!AGENCY_CODE.test(agency) || agency.includes('..')) return { reason: `"${agency}" is not an agency code` };
  const m = FILE_NAME.exec(file);
  if (!m) return { reason: `"${file}" is not named <yyyy-mm>.csv` };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return { reason: `"${file}" has no valid month` };
  return { agencyCode: agency, period: `${m[1]}-${m[2]}` };
}

/** List the drop: valid files sorted by period then agency, and every other entry with its reason. */
export async function listNswFiles(dropDir: string): Promise<NswDropListing> {
  const root = path.resolve(dropDir);
  let top: string[];
  try {
    top = await readdir(root);
  } catch (cause) {
    throw createError(CONNECTOR_NAME, `Failed to list the NSW drop ${root}: ${(cause as Error).message}`, { cause });
  }
  const files: NswDropFile[] = [];
  const rejected: NswDropListing['rejected'] = [];
  for (const agency of top.sort()) {
    const agencyPath = path.join(root, agency);
    const st = await lstat(agencyPath);
    if (!st.isDirectory()) {
      rejected.push({ key: agency, reason: st.isSymbolicLink() ? 'symbolic links are not followed' : 'expected <agency_code>/<yyyy-mm>.csv' });
      continue;
    }
    for (const name of (await readdir(agencyPath)).sort()) {
      const key = `${agency}/${name}`;
      const fst = await lstat(path.join(agencyPath, name));
      if (!fst.isFile()) {
        rejected.push({ key, reason: fst.isSymbolicLink() ? 'symbolic links are not followed' : 'not a regular file' });
        continue;
      }
      const parsed = parseNswDropKey(key);
      if ('reason' in parsed) rejected.push({ key, reason: parsed.reason });
      else files.push({ path: path.join(agencyPath, name), key, ...parsed });
    }
  }
  files.sort((a, b) => (a.period === b.period ? a.agencyCode.localeCompare(b.agencyCode) : a.period < b.period ? -1 : 1));
  return { files, rejected };
}

export interface NswDropConnector extends Connector {
  list(): Promise<NswDropListing>;
}

export function createNswDropConnector(options: NswDropOptions): NswDropConnector {
  const parsed = NswDropOptionsSchema.safeParse(options);
  if (!parsed.success) throw createError(CONNECTOR_NAME, `Failed to create the NSW drop connector: invalid options: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  return {
    name: CONNECTOR_NAME,
    source: 'nsw',
    list: () => listNswFiles(opts.dropDir),
    async pull(request: PullRequest, sink: PayloadSink): Promise<PullSummary & { rejected: NswDropListing['rejected'] }> {
      const periods = monthsBetween(request.from, request.to);
      const wanted = new Set(periods);
      const listing = await listNswFiles(opts.dropDir);
      if (opts.strict && listing.rejected.length > 0) {
        const list = listing.rejected.map((r) => `${r.key} (${r.reason})`).join('; ');
        throw createError(CONNECTOR_NAME, `Failed to pull the NSW drop ${path.resolve(opts.dropDir)}: unexpected entries: ${list}`);
      }
      const summary = { payloads: 0, rows: 0, unchanged: 0, periods, rejected: listing.rejected };
      // State here is informational (files are re-read every time): the sha256 of each file handed over.
      if (request.state) for (const p of periods) request.state[p] = { etags: [], complete: false };
      for (const file of listing.files) {
        if (!wanted.has(file.period)) continue;
        request.signal?.throwIfAborted();
        const bytes = await readFile(file.path);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        await sink({ kind: 'nsw-csv', source: 'nsw', dataset: 'dossiers', period: file.period, originalName: file.key, ext: 'csv', bytes, sha256, rows: null });
        request.state?.[file.period]?.etags.push(`"${sha256}"`);
        summary.payloads++;
      }
      if (request.state) for (const p of periods) request.state[p]!.complete = true;
      return summary;
    },
  };
}
