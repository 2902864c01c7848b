/**
 * Upgrades of a lake written by an earlier version, applied by the land before it lands anything: each
 * finds what the earlier layout left, rewrites it as today's land would have written it, and finds
 * nothing the next time (a rerun changes nothing).
 */
import path from 'node:path';
import { DuckDb } from '../engine/duckdb.js';
import { DATASET_SPECS } from './datasets.js';
import { localCopy, moveRows } from './partitions.js';
import { quarantineMonth, vietnamMonth, type YearMonth } from './periods.js';
import { outsideProjection, projectionYearRange } from './projection.js';
import { ManifestEntry, manifestKey, parseJsonObject, rawKey } from './raw.js';
import { PipelineInputError } from '../errors.js';
import { readBieu06Xlsx } from '../readers/xlsx/bieu06.js';
import { readParXlsx } from '../readers/xlsx/par.js';
import { reportQuarantinePeriod } from './small.js';
import { RAW_KINDS, type RawKind } from './sources.js';
import type { Storage } from '../storage/types.js';

/** A quarantine partition key: its dataset, source, year and month segments. */
const QUARANTINE_KEY = /^quarantine\/dataset=([a-z0-9_]+)\/source=([^/]+)\/year=([^/]*)\/month=([^/]*)\/data\.parquet$/;

/** The keys of `keys` whose rows a land moves (quarantine partition files outside the projection: rehomeQuarantine). */
export function movedByLand(keys: readonly string[]): string[] {
  return outsideProjection(keys.filter((k) => QUARANTINE_KEY.test(k)));
}

/**
 * Quarantine partitions outside Athena's projection (year 2000 … the calendar's last + 1, month 1–12), as
 * versions before 2026-12-07 wrote them: a registry file's rejected rows under year=0/month=0, a yearly
 * Biểu 06's or PAR's and a dossier file pulled for a year under month=0, a 766 answer without a period
 * under year=0. DuckDB counted those rows and Athena never read them (and `verify` now refuses such a
 * lake). Each file's rows move where today's land puts a small file's rejected rows (periods.ts,
 * quarantineMonth): a year's rows under that year's December, or the month the file was landed in
 * while that year ran; rows without a period under the month their file was landed in (its manifest
 * entry's landed_at, in Vietnam's calendar). A dossier file pulled for a year is today quarantined under
 * each row's month of receipt, which the old partition no longer tells: its rows go under the year's
 * December too. A Biểu 06's or PAR's go, as today, under the last month of the period it reports on,
 * read again from its raw file. Returns the partition keys written.
 *
 * A partition that cannot be moved (a raw file with no manifest entry, whose landing month is unknown; a
 * storage fault) is left as it is and named through `log`: the land goes on (those rows matter to Athena's
 * figures only, and `verify` keeps naming the file), and the next land tries again. A move that fails after
 * it wrote some target partitions leaves the rows in both places until then: the next move merges them
 * (nothing doubles in the files it writes), and until it does DuckDB counts those rows twice.
 */
export async function rehomeQuarantine(storage: Storage, opts: { workDir: string; memoryLimit?: string; log?: (message: string) => void }): Promise<string[]> {
  const keys = movedByLand(await storage.listKeys('quarantine/'));
  if (keys.length === 0) return [];
  const [first, last] = projectionYearRange();
  const dir = path.join(opts.workDir, 'upgrade');
  const written: string[] = [];
  /** A workbook's reported period by raw hash: a Biểu 06's rows and its checks' are two partitions. */
  const reported = new Map<string, Promise<string | null>>();
  const db = await DuckDb.open({ memoryLimit: opts.memoryLimit, tempDirectory: path.join(dir, 'spill') });
  try {
    for (const key of keys) {
      const [, dataset, source, y, m] = QUARANTINE_KEY.exec(key)!;
      const year = Number(y);
      const yearly = Number.isInteger(year) && year >= first && year <= last && Number(m) === 0;
      const targetOf = async (kind: string, hash: string): Promise<YearMonth> => {
        const entry = await manifestOf(storage, kind, hash);
        // Never today's month instead: a move cut short and finished next month would put the rows in two partitions.
        if (!entry) throw new Error(`no manifest entry for its raw file ${kind}/${hash.slice(0, 12)}, so the month it was landed in is unknown`);
        const file = `${kind}/${hash}`;
        if (!reported.has(file)) reported.set(file, reportedPeriod(storage, kind, hash, dir));
        const period = (await reported.get(file)!) ?? (yearly ? String(year) : entry.period);
        return quarantineMonth(period, vietnamMonth(new Date(entry.landed_at)));
      };
      try {
        written.push(...(await moveRows(db, storage, { root: 'quarantine', dataset: dataset!, spec: DATASET_SPECS.quarantine, fromKey: key, source: source!, targetOf, workDir: dir })));
      } catch (err) {
        opts.log?.(`left ${key} where an earlier version wrote it (Athena does not read it; verify names it): ${(err as Error).message}`);
      }
    }
  } finally {
    db.close();
  }
  return written;
}

/** The manifest entry of a landed raw file, undefined when the lake has none (or the kind is unknown). */
async function manifestOf(storage: Storage, kind: string, hash: string): Promise<ManifestEntry | undefined> {
  if (!(kind in RAW_KINDS) || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  const key = manifestKey(kind as RawKind, hash);
  const body = await storage.tryGet(key);
  return body === undefined ? undefined : parseJsonObject(key, body, ManifestEntry);
}

/**
 * The period a Biểu 06's or PAR's rejected rows go under, read from its raw file as the land reads it
 * (small.ts, reportQuarantinePeriod), or null: another kind, a file no longer in raw/, or
 * one today's reader refuses (it landed once; its rows then go by the year rule).
 */
async function reportedPeriod(storage: Storage, kind: string, hash: string, dir: string): Promise<string | null> {
  if ((kind !== 'bieu06-xlsx' && kind !== 'par-xlsx') || !/^[0-9a-f]{64}$/.test(hash)) return null;
  const local = await localCopy(storage, rawKey(kind, hash), dir);
  if (!local) return null;
  try {
    return reportQuarantinePeriod(kind === 'bieu06-xlsx' ? await readBieu06Xlsx(local, { sourceFile: hash }) : await readParXlsx(local, { sourceFile: hash }));
  } catch (err) {
    if (err instanceof PipelineInputError) return null;
    throw err;
  }
}
