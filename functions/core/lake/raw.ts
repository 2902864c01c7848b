/**
 * raw/: every pulled file or API page kept unchanged under a content-hash key, and its manifest entry.
 *
 * The manifest entry is written LAST, after the file's records are landed: it is the commit marker.
 * A raw file without a manifest entry is "staged" and will be landed by the next `land`; the same
 * content (same sha256) is never landed twice.
 */
import { createHash } from 'node:crypto';
import pMap from 'p-map';
import { z } from 'zod';
import { createError, REJECT_REASONS, type RejectReason } from '../errors.js';
import { StorageConflictError, type Storage } from '../storage/types.js';
import { YEAR_MONTH } from '../schemas/index.js';
import { PERIOD_PATTERN, pulledAfterMonth } from './periods.js';
import { RAW_KINDS, RAW_KIND_NAMES, type RawKind } from './sources.js';

/**
 * Small objects a listing reads at once (staged metadata, manifest entries): one after another, a land of
 * 100 k dossiers made 459 sequential reads of each kind — on S3 one round trip apiece, growing with every
 * file the lake has landed (bench/history.md, change 35).
 */
export const READS_AT_ONCE = 16;

export const Period = z.string().regex(PERIOD_PATTERN, 'expected YYYY or YYYY-MM (month 01–12)');

export const RawMeta = z.object({
  kind: z.enum(RAW_KIND_NAMES as [RawKind, ...RawKind[]]),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  /** Reporting period the file was pulled for (YYYY-MM or YYYY), if any. */
  period: Period.nullable(),
  /** The file's own name (basename only) or the API request it answers. */
  original_name: z.string().max(500),
  /** When the bytes were pulled (ISO 8601). */
  pulled_at: z.string(),
  /**
   * When the bytes were last written where they were picked up, where known (ISO 8601): a drop file's
   * modification time, an S3 drop object's LastModified. A file re-read from a drop folder keeps it, so
   * re-staging an export made before its month ended does not make it one made after (lake/periods.ts,
   * pulledAfterMonth). Absent for API pulls, whose bytes are made when pulled.
   */
  made_at: z.string().optional(),
  /** The date the content describes, when the source says (e.g. a 766 capture date), YYYY-MM-DD. */
  as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
  /** dossier-export files: the mapping profile that reads them (absent for every other kind). */
  profile: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/).optional(),
  /**
   * A page of a paged pull (portal-api): its number and the month's page count as its answer gave it. A month
   * pulled page by page counts for a snapshot only once every page of it came after the month ended
   * (transform/snapshot.ts, sourceGaps): one page does not hold the month. Absent for files staged before pages were recorded.
   */
  page: z.number().int().min(1).optional(),
  pages: z.number().int().min(1).optional(),
});
export type RawMeta = z.infer<typeof RawMeta>;

export const ManifestEntry = RawMeta.extend({
  dataset: z.string(),
  source: z.string(),
  rows_read: z.number().int().min(0),
  rows_landed: z.number().int().min(0),
  rows_quarantined: z.number().int().min(0),
  landed_at: z.string(),
});
export type ManifestEntry = z.infer<typeof ManifestEntry>;

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function rawKey(kind: RawKind, hash: string): string {
  return `raw/${kind}/${hash}.${RAW_KINDS[kind].ext}`;
}
function metaKey(kind: RawKind, hash: string): string {
  return `raw/${kind}/${hash}.meta.json`;
}
export function manifestKey(kind: RawKind, hash: string): string {
  return `manifest/raw/${kind}/${hash}.json`;
}
/** A staged file that failed to land: its error, kept until an operator retries or discards it. */
export function rejectedKey(kind: RawKind, hash: string): string {
  return `manifest/rejected/${kind}/${hash}.json`;
}
/** A rejected file an operator discarded: the record stays (audit); its bytes are removed from raw/. */
export function discardedKey(kind: RawKind, hash: string): string {
  return `manifest/discarded/${kind}/${hash}.json`;
}

export const RejectedEntry = RawMeta.extend({
  /** The error, in the words the land gave it (file, row, field, reason). */
  error: z.string(),
  /**
   * Its class (REJECT_REASONS), from the error the land caught; null in a record written before the land
   * recorded classes, or for an error of no class (mart rejected_files then classes it by its words). A
   * class no longer in the list reads as null too: an old record must never stop a land, nor the
   * operator's `rejected`, `retry` and `discard`.
   */
  reason: z.enum(REJECT_REASONS).nullable().catch(null),
  rejected_at: z.string(),
  /** Set when an operator discarded the file. */
  discarded_at: z.string().nullable().default(null),
});
export type RejectedEntry = z.infer<typeof RejectedEntry>;

export interface StageResult {
  meta: RawMeta;
  key: string;
  /** True when this content was already landed (nothing to do). */
  alreadyLanded: boolean;
  /** True when this content was already staged (e.g. an earlier interrupted run). */
  alreadyStaged: boolean;
  /** True when this content was rejected by an earlier land (waits for `retry` or `discard`) or discarded. */
  alreadyRejected?: boolean;
}

/**
 * Keep `bytes` under raw/ (create-once) with a small sidecar describing where they came from.
 * Original names are reduced to their basename: a name like "../../etc/passwd" cannot steer a key.
 */
export async function stageRaw(
  storage: Storage,
  input: { kind: RawKind; bytes: Buffer; period: string | null; originalName: string; pulledAt?: string; madeAt?: string; asOf?: string; profile?: string; sha256?: string; page?: number; pages?: number },
): Promise<StageResult> {
  // A connector's payload carries the hash of its bytes (connectors/_types.ts; the conformance suite checks it).
  const hash = input.sha256 ?? sha256(input.bytes);
  const meta = RawMeta.parse({
    kind: input.kind,
    sha256: hash,
    bytes: input.bytes.length,
    period: input.period,
    original_name: safeBaseName(input.originalName),
    pulled_at: input.pulledAt ?? new Date().toISOString(),
    ...(input.madeAt !== undefined ? { made_at: input.madeAt } : {}),
    as_of: input.asOf ?? null,
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    ...(input.page !== undefined && input.pages !== undefined ? { page: input.page, pages: input.pages } : {}),
  });
  if (await storage.exists(manifestKey(input.kind, hash))) {
    // Its entry is read only for a month's dossier file (recordDelivery: another month, or the same one first pulled before its end).
    if (isMonthDossierFile(meta)) await recordDelivery(storage, meta, await storage.get(manifestKey(input.kind, hash)));
    return { meta, key: rawKey(input.kind, hash), alreadyLanded: true, alreadyStaged: true };
  }
  // Discarded by an operator: the same bytes dropped again are not staged again.
  if (await storage.exists(discardedKey(input.kind, hash))) {
    return { meta, key: rawKey(input.kind, hash), alreadyLanded: false, alreadyStaged: false, alreadyRejected: true };
  }
  const key = rawKey(input.kind, hash);
  let alreadyStaged = false;
  try {
    await storage.put(key, input.bytes, { ifNoneMatch: true });
  } catch (err) {
    if (!(err instanceof StorageConflictError)) throw err;
    alreadyStaged = true; // same content, same key: harmless
  }
  try {
    await storage.put(metaKey(input.kind, hash), JSON.stringify(meta), { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (!(err instanceof StorageConflictError)) throw err;
    // Another staging's sidecar holds the bytes (whichever came first, this run's or a concurrent one's):
    // this month is a delivery when it is not the sidecar's.
    const recorded = isMonthDossierFile(meta) ? await storage.tryGet(metaKey(input.kind, hash)) : undefined;
    if (recorded) await recordDelivery(storage, meta, recorded);
  }
  return { meta, key, alreadyLanded: false, alreadyStaged };
}

/**
 * A month's dossier file whose bytes were already staged: recorded under manifest/deliveries/ so the month
 * counts as delivered (transform/snapshot.ts, sourceGaps; only bytes that landed no row, landed with no
 * month, or landed for the same month count: pipeline.ts, snapshotGaps). The raw sidecar and the landing log
 * keep the period the bytes first came with, and the same bytes come again for other months: an NSW unit's
 * header-only export is one file, byte for byte, every month it had no dossier; a file staged again with the
 * right `--period`; and one unit's header-only file is byte for byte another unit's. And for the same month:
 * bytes first pulled before their month ended, pulled again after it (the month held nothing more). Written
 * only once the month has ended (lake/periods.ts, pulledAfterMonth), for a month or name other than the
 * recorded one or the same month first pulled before its end, create-once per (kind, period, bytes, name):
 * a rerun writes nothing.
 */
const isMonthDossierFile = (meta: RawMeta): boolean => RAW_KINDS[meta.kind].dataset === 'dossiers' && meta.period !== null && YEAR_MONTH.test(meta.period);

async function recordDelivery(storage: Storage, meta: RawMeta, recorded: Buffer): Promise<void> {
  if (!isMonthDossierFile(meta) || !meta.period) return;
  // A month counts only with a file made after it ended (transform/snapshot.ts, sourceGaps): bytes that come
  // for a month still running say nothing of it yet, and would hold the create-once key against their coming
  // again after the month's end.
  if (!pulledAfterMonth(meta)) return;
  const first = RawMeta.pick({ period: true, original_name: true, pulled_at: true, made_at: true }).safeParse(JSON.parse(recorded.toString('utf8'))).data;
  // The same bytes for the month and name they were first recorded under (a rerun): nothing new, nothing
  // written — unless they first came before the month ended: now they say the month holds nothing more.
  if (first?.period === meta.period && first.original_name === meta.original_name && pulledAfterMonth(first)) return;
  // Per name too: one header-only file is every NSW unit's export of an empty month (each unit is expected).
  const key = deliveryKey(meta.kind, meta.period, meta.sha256, meta.original_name);
  if (await storage.exists(key)) return;
  try {
    await storage.put(key, JSON.stringify(meta), { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (!(err instanceof StorageConflictError)) throw err;
  }
}

/** Where a delivery of `hash` for `period` under the name `name` is recorded (recordDelivery). */
export function deliveryKey(kind: RawKind, period: string, hash: string, name: string): string {
  return `manifest/deliveries/${kind}/${period}/${hash}-${sha256(name).slice(0, 16)}.json`;
}

/** The deliveries recordDelivery kept: dossier files of a month whose bytes had been staged before. */
export async function listDeliveries(storage: Storage): Promise<RawMeta[]> {
  const keys = (await storage.listKeys('manifest/deliveries/')).filter((k) => k.endsWith('.json'));
  return pMap(keys, (key) => readJson(storage, key, RawMeta), { concurrency: READS_AT_ONCE });
}

/**
 * Raw files staged but not yet landed, oldest pull first (ties by name, then hash: deterministic). Files an
 * earlier land rejected are left out until an operator retries them (`listRejected`).
 */
export async function listStaged(storage: Storage, kinds: readonly RawKind[] = RAW_KIND_NAMES): Promise<RawMeta[]> {
  const keys: string[] = [];
  const hashes = async (prefix: string): Promise<Set<string>> =>
    new Set((await storage.listKeys(prefix)).map((key) => key.split('/').pop()!.replace(/\.json$/, '')));
  for (const kind of kinds) {
    const landed = await hashes(`manifest/raw/${kind}/`);
    const rejected = await hashes(`manifest/rejected/${kind}/`);
    for (const key of await storage.listKeys(`raw/${kind}/`)) {
      if (!key.endsWith('.meta.json')) continue;
      const hash = key.split('/').pop()!.replace(/\.meta\.json$/, '');
      if (landed.has(hash) || rejected.has(hash)) continue;
      keys.push(key);
    }
  }
  const out = await pMap(keys, (key) => readJson(storage, key, RawMeta), { concurrency: READS_AT_ONCE });
  // Files pulled in the same millisecond (a drop staged several at once) in name order, as the version
  // rule orders them (datasets.ts: `_arrived`, then `_name`); the hash only breaks a tie of both.
  return out.sort((a, b) => cmp(a.pulled_at, b.pulled_at) || cmp(a.original_name, b.original_name) || cmp(a.sha256, b.sha256));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Commit a landed file (create-once); false when its entry already existed (that one is kept). */
export async function writeManifest(storage: Storage, entry: ManifestEntry): Promise<boolean> {
  try {
    await storage.put(manifestKey(entry.kind, entry.sha256), JSON.stringify(ManifestEntry.parse(entry)), {
      ifNoneMatch: true,
      contentType: 'application/json',
    });
    return true;
  } catch (err) {
    if (!(err instanceof StorageConflictError)) throw err;
    return false;
  }
}

/** Record that a staged file failed to land (create-once: the first error is kept). */
export async function writeRejected(storage: Storage, meta: RawMeta, error: string, reason?: RejectReason): Promise<RejectedEntry> {
  const entry = RejectedEntry.parse({ ...meta, error, reason: reason ?? null, rejected_at: new Date().toISOString(), discarded_at: null });
  try {
    await storage.put(rejectedKey(meta.kind, meta.sha256), JSON.stringify(entry), { ifNoneMatch: true, contentType: 'application/json' });
  } catch (err) {
    if (!(err instanceof StorageConflictError)) throw err;
  }
  return entry;
}

/** Files rejected by a land and not yet retried or discarded (oldest first); with `discarded`, those too. */
export async function listRejected(storage: Storage, opts: { discarded?: boolean } = {}): Promise<RejectedEntry[]> {
  const out: RejectedEntry[] = [];
  for (const prefix of ['manifest/rejected/', ...(opts.discarded ? ['manifest/discarded/'] : [])]) {
    for (const key of await storage.listKeys(prefix)) {
      if (key.endsWith('.json')) out.push(await readJson(storage, key, RejectedEntry));
    }
  }
  return out.sort((a, b) => a.rejected_at.localeCompare(b.rejected_at) || a.sha256.localeCompare(b.sha256));
}

/** The rejected file an operator names: by sha256 (or a unique prefix of at least 8) or by its original name. */
export async function findRejected(storage: Storage, ref: string): Promise<RejectedEntry> {
  const all = await listRejected(storage);
  const hits = all.filter((e) => (ref.length >= 8 && e.sha256.startsWith(ref.toLowerCase())) || e.original_name === ref);
  if (hits.length === 1) return hits[0]!;
  const known = all.map((e) => `${e.sha256.slice(0, 12)} ${e.original_name}`).join('; ') || 'none';
  if (hits.length === 0) throw createError('lake', `Failed to find a rejected file "${ref}": rejected files are ${known}`);
  throw createError('lake', `Failed to choose a rejected file "${ref}": ${hits.length} match (${hits.map((h) => h.sha256.slice(0, 12)).join(', ')}); name one by its hash`);
}

/** Let the next land try a rejected file again (e.g. after the registry it needed was landed). */
export async function retryRejected(storage: Storage, ref: string): Promise<RejectedEntry> {
  const entry = await findRejected(storage, ref);
  await storage.delete(rejectedKey(entry.kind, entry.sha256));
  return entry;
}

/**
 * Give up on a rejected file: its bytes leave raw/, a record of it (name, hash, error, when) stays
 * under manifest/discarded/, and the same bytes dropped again are not staged again.
 */
export async function discardRejected(storage: Storage, ref: string): Promise<RejectedEntry> {
  const entry = await findRejected(storage, ref);
  const discarded = RejectedEntry.parse({ ...entry, discarded_at: new Date().toISOString() });
  await storage.put(discardedKey(entry.kind, entry.sha256), JSON.stringify(discarded), { contentType: 'application/json' });
  await storage.delete(rawKey(entry.kind, entry.sha256));
  await storage.delete(metaKey(entry.kind, entry.sha256));
  await storage.delete(rejectedKey(entry.kind, entry.sha256));
  return discarded;
}

/**
 * A cache of the manifest in one object, outside manifest/raw/: every entry the last land knew, one
 * JSON line each. listManifest reads it first, then only the entries it lacks: a land after years of
 * history makes one read instead of one per file ever landed (on S3 a round trip apiece, 16 at once).
 * The entries stay the truth: the listing of manifest/raw/ decides which exist, a line is used only
 * for a listed key whose kind and hash it names, a line that cannot be read is read from its entry,
 * and `verify` (invariants.ts) reads the entries themselves.
 */
export const MANIFEST_INDEX_KEY = 'manifest/index/raw.ndjson';

/**
 * Every manifest entry (landed raw file), by kind then hash. `known` (key → entry, e.g. from an earlier
 * call of the same run) is filled and reused: an entry is create-once, so only the keys it lacks are read,
 * from the index (MANIFEST_INDEX_KEY) when it has them unless `index` is false, else one read each.
 */
export async function listManifest(storage: Storage, known: Map<string, ManifestEntry> = new Map(), opts: { index?: boolean } = {}): Promise<ManifestEntry[]> {
  const keys = (await storage.listKeys('manifest/raw/')).filter((k) => k.endsWith('.json'));
  if (opts.index !== false && keys.some((k) => !known.has(k))) await readManifestIndex(storage, new Set(keys), known);
  const out = await pMap(
    keys,
    async (key) => {
      const hit = known.get(key);
      if (hit) return hit;
      const entry = await readJson(storage, key, ManifestEntry);
      known.set(key, entry);
      return entry;
    },
    { concurrency: READS_AT_ONCE },
  );
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.sha256.localeCompare(b.sha256));
}

/** Put the index's entries for listed keys into `known` (lines naming no listed key, or unreadable, are left out). */
async function readManifestIndex(storage: Storage, listed: ReadonlySet<string>, known: Map<string, ManifestEntry>): Promise<void> {
  const body = await storage.tryGet(MANIFEST_INDEX_KEY);
  if (!body) return;
  for (const line of body.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let parsed;
    try {
      parsed = ManifestEntry.safeParse(JSON.parse(line));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const key = manifestKey(parsed.data.kind, parsed.data.sha256);
    if (listed.has(key) && !known.has(key)) known.set(key, parsed.data);
  }
}

/** Replace the index with `entries` (a land writes every entry it listed, once its own are committed). */
export async function writeManifestIndex(storage: Storage, entries: readonly ManifestEntry[]): Promise<void> {
  await storage.put(MANIFEST_INDEX_KEY, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { contentType: 'application/x-ndjson' });
}

async function readJson<T>(storage: Storage, key: string, schema: z.ZodType<T>): Promise<T> {
  return parseJsonObject(key, await storage.get(key), schema);
}

/** The JSON read from `key`, checked against `schema`; an error naming the key when it is not. */
export function parseJsonObject<T>(key: string, body: Buffer, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(body.toString('utf8')));
  } catch (cause) {
    throw createError('lake', `Failed to read ${key}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * A display name for a raw file: its last (up to three) path components, with '.', '..', empty parts
 * and control characters removed. It is only ever shown, never used to build a key or a path.
 */
export function safeBaseName(name: string): string {
  const parts = name.replaceAll('\\', '/').split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  // eslint-disable-next-line no-control-regex
  const shown = parts.slice(-3).join('/').replace(/[\u0000-\u001f\u007f]/g, '_').slice(0, 300);
  return shown || 'unnamed';
}
