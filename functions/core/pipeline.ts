/**
 * The pipeline's steps as plain functions over a context. The CLI commands and the Lambda handlers
 * are thin edges that build a context and call these; nothing here knows which edge called it.
 */
import { readFile, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { PipelineConfig, Real766Plan } from './config.js';
import { createError, MonthNotDeliveredError } from './errors.js';
import { vietnamMonth } from './lake/periods.js';
import type { QueryEngine } from './engine/types.js';
import { createPortalConnector } from './connectors/portal.js';
import type { PayloadSink, PlanRequest, PullState, PullSummary, RawPayload } from './connectors/_types.js';
import { createDropConnector, periodOfName, type SkippedDropFile } from './connectors/drop.js';
import { parseNswDropKey } from './connectors/nsw-drop.js';
import { createReal766Connector } from './connectors/real766.js';
import { landStaged, profilesOrNone, rawFileSource, RejectedFilesError, type LandSummary } from './lake/land.js';
import { discardRejected, listDeliveries, listManifest, listRejected, type ManifestEntry, type RawMeta, retryRejected, safeBaseName, sha256, parseJsonObject, stageRaw, type RejectedEntry } from './lake/raw.js';
import { assertInvariants, checkInvariants } from './lake/invariants.js';
import { withLakeLock, type LockOptions } from './lake/lock.js';
import { freezeMarts, quarantineByReason, registerAsOfSources } from './transform/asof.js';
import { listSnapshots, monthEnd, namesUnit, nextMonth, publishSnapshot, readSnapshotManifest, REFUSED_CAUSES, SnapshotPeriod, sourceGaps, type SourceGap, type SourceMonthFile } from './transform/snapshot.js';
import { RAW_KINDS, type RawKind } from './lake/sources.js';
import { createScore766Connector } from './connectors/score766.js';
import { loadProfiles } from './profiles/profile.js';
import { SQL_DIR } from './lake/landing-sql.js';
import { assertTestsPass, checkMissingSources, loadModels, registerLakeSources, runModelTests, runModels, type MissingSource } from './transform/index.js';
import { currentPeriods, keptModels, partitionPlanner, planTransform, withPlannerInputs, writeState } from './transform/incremental.js';
import type { PartitionSelection } from './engine/types.js';
import { isSafeKey, type ObjectInfo, type Storage } from './storage/types.js';
import { copyObject } from './storage/copy.js';

export interface PipelineContext {
  storage: Storage;
  /**
   * A fresh engine for one transform or snapshot (closed by its caller). `scratch`: the models it
   * materialises are the run's own, never the lake's models (a snapshot's models over the as-of views:
   * DuckDB keeps them as tables of the run; Athena builds them in its snapshot database and prefix).
   */
  engine: (opts?: EngineOptions) => Promise<QueryEngine>;
  config: PipelineConfig;
  log: (msg: string, data?: Record<string, unknown>) => void;
  /** Local scratch directory (DuckDB spill, downloaded objects). */
  workDir: string;
  /** Progress of long steps, for the CLI's bar. */
  onProgress?: (step: string, done: number, total: number) => void;
  /** The lake lock taken by land, transform, snapshot and runAll (default: fail at once when held). */
  lock?: LockOptions;
}

export interface EngineOptions {
  /** The models are scratch, for this run only (snapshots). */
  scratch?: boolean;
}

export interface StageSummary {
  staged: number;
  alreadyLanded: number;
  /** Files an earlier land rejected or an operator discarded (not staged again). */
  alreadyRejected: number;
  bytes: number;
  byKind: Partial<Record<RawKind, number>>;
  /** Drop files not staged (unknown names), with the reason. */
  skipped: SkippedDropFile[];
}

function emptyStage(): StageSummary {
  return { staged: 0, alreadyLanded: 0, alreadyRejected: 0, bytes: 0, byKind: {}, skipped: [] };
}

async function stage(
  ctx: PipelineContext,
  summary: StageSummary,
  p: Pick<RawPayload, 'kind' | 'bytes' | 'sha256' | 'period' | 'originalName' | 'asOf' | 'profile' | 'madeAt' | 'page' | 'pages'>,
  pulledAt?: string,
): Promise<void> {
  const r = await stageRaw(ctx.storage, { kind: p.kind, bytes: p.bytes, sha256: p.sha256, period: p.period, originalName: p.originalName, pulledAt, madeAt: p.madeAt, asOf: p.asOf, profile: p.profile, page: p.page, pages: p.pages });
  if (r.alreadyLanded) summary.alreadyLanded++;
  else if (r.alreadyRejected) summary.alreadyRejected++;
  else {
    summary.staged++;
    summary.bytes += p.bytes.length;
    summary.byKind[p.kind] = (summary.byKind[p.kind] ?? 0) + 1;
  }
}

/**
 * Files of a drop staged at once (stageFrom's `atOnce`). Each file is two create-once writes (the
 * bytes and their meta): on local disk two fsyncs of the file and two of its directory, on S3 two
 * round trips. One file after another, the 476 files of the 100 k bench drop took 1.4–1.7 s, half of
 * it in fsync (bench/history.md, change 58).
 */
export const DROP_STAGE_AT_ONCE = 8;
/** Bytes of payloads held while staged at once: a drop of a national backfill's exports stays bounded. */
const STAGE_BYTES_AT_ONCE = 256 * 2 ** 20;

/**
 * Pull a connector (connectors/_types.ts) into raw/: every payload it hands over is staged under its
 * raw kind with its meta (period, original name, as-of date, mapping profile). The one way in of
 * every source; `total` sizes the progress bar (0: unknown).
 *
 * `atOnce` > 1 (a drop, whose files do not depend on one another): up to that many payloads are staged
 * at once. Each payload's pull time is taken when it is handed over, so arrivals keep the connector's
 * order (the version rule's `_arrived`, datasets.ts), and the same bytes handed over twice are staged
 * in that order (the first one's meta is kept, as one at a time). The first failure stops the pull;
 * every stage already started ends before the call throws. With 1 (the default: the API pulls, whose
 * resume state marks a page done when the sink returns), the sink returns once its payload is staged.
 */
export async function stageFrom<R extends PlanRequest, S extends PullSummary>(
  ctx: PipelineContext,
  connector: { pull(request: R, sink: PayloadSink): Promise<S> },
  request: R,
  progress: { step: string; total?: number; atOnce?: number },
): Promise<{ staged: StageSummary; pulled: S }> {
  const staged = emptyStage();
  const atOnce = Math.max(1, progress.atOnce ?? 1);
  let done = 0;
  /** Stages under way (with their payload's size), and the last stage of each hash. */
  const running = new Map<Promise<void>, number>();
  const byHash = new Map<string, Promise<void>>();
  /** The first failed stage (a holder: the sink's callbacks set it). */
  const fault: { failed?: { error: unknown } } = {};
  const rethrow = (): void => {
    if (fault.failed) throw fault.failed.error;
  };
  const held = (): number => [...running.values()].reduce((a, b) => a + b, 0);
  let pulled: S;
  try {
    pulled = await connector.pull(request, async (p) => {
      rethrow();
      if (p.profile) ctx.log(`${p.originalName}: a ${p.kind} read with the mapping profile ${p.profile}`);
      const pulledAt = new Date().toISOString();
      const before = byHash.get(p.sha256);
      const job = (async () => {
        if (before) await before.catch(() => undefined);
        await stage(ctx, staged, p, pulledAt);
        ctx.onProgress?.(progress.step, ++done, progress.total ?? 0);
      })();
      if (atOnce === 1) return job;
      byHash.set(p.sha256, job);
      const tracked: Promise<void> = job.then(
        () => undefined,
        (error: unknown) => {
          fault.failed ??= { error };
        },
      );
      running.set(tracked, p.bytes.length);
      void tracked.then(() => {
        running.delete(tracked);
        if (byHash.get(p.sha256) === job) byHash.delete(p.sha256);
      });
      while (!fault.failed && (running.size >= atOnce || held() > STAGE_BYTES_AT_ONCE)) await Promise.race(running.keys());
      rethrow();
    });
  } finally {
    // Every stage started ends before the call returns or throws (nothing writes raw/ after it).
    while (running.size > 0) await Promise.allSettled(running.keys());
  }
  rethrow();
  return { staged, pulled };
}

const PORTAL_STATE_KEY = 'state/portal-dossiers.json';

/** Pull the portal's dossier API month by month into raw/ (resumable: ETags kept in state/). */
export async function pullPortal(ctx: PipelineContext, opts: { from: string; to: string; token: string }): Promise<StageSummary & { unchanged: number; rows: number }> {
  const connector = createPortalConnector({
    baseUrl: ctx.config.portal.baseUrl,
    token: opts.token,
    pageSize: ctx.config.portal.pageSize,
    pagesAhead: ctx.config.portal.pagesAhead,
  });
  const prior = await ctx.storage.tryGet(PORTAL_STATE_KEY);
  const state: PullState = prior ? (JSON.parse(prior.toString('utf8')) as PullState) : {};
  try {
    const { staged, pulled } = await stageFrom(ctx, connector, { from: opts.from, to: opts.to, state }, { step: 'pull' });
    return { ...staged, unchanged: pulled.unchanged, rows: pulled.rows };
  } finally {
    // Persist progress even after a failure, so the next run resumes.
    await ctx.storage.put(PORTAL_STATE_KEY, JSON.stringify(state));
  }
}

/**
 * A drop directory (connectors/drop.ts: registry/, portal/dossiers/, nsw/, bieu06/, par/, score766/,
 * exports/<profile>/), as agencies and the province drop their exports. Every planned file is staged
 * under raw/ unchanged; every other name is logged and listed in `skipped` with its reason.
 */
export async function ingestDropDir(
  ctx: PipelineContext,
  opts: { dir: string; include?: RawKind[] },
): Promise<StageSummary> {
  // A drop that describes itself (the demo's meta.json: synthetic, province) tells the dashboards.
  const meta = await readFile(path.join(opts.dir, 'meta.json')).catch(() => undefined);
  if (meta) await ctx.storage.put('meta.json', meta);
  const connector = createDropConnector(opts);
  const plan = await connector.list();
  for (const f of plan.skipped) ctx.log(`skipped ${f.file}: ${f.reason}`);
  const { staged } = await stageFrom(ctx, connector, { plan }, { step: 'ingest', total: plan.files.length, atOnce: DROP_STAGE_AT_ONCE });
  staged.skipped.push(...plan.skipped);
  return staged;
}

/** Where the objects of a drop prefix already staged are recorded (stageDropPrefix); on AWS in the raw bucket. */
export const DROP_SEEN_PREFIX = 'manifest/drop/';

const DropSeen = z.object({ version: z.literal(1), objects: z.record(z.string(), z.string()) });

export interface DropPrefixSummary extends StageSummary {
  /** Objects left uncopied: staged (or found landed or rejected) by an earlier run, not written since (same ETag and time). */
  unchanged: number;
}

/**
 * Stage the objects of a drop prefix (pull-nsw's NSW_DROP_PREFIX) through the drop connector, as
 * `<dir>/<sub>/<key>` files, copying only the objects that are new or changed since a run staged them. A
 * drop keeps every export agencies ever dropped: copying and hashing all of them every day made the pull
 * grow with the history, where only the new month's exports change. The record `<DROP_SEEN_PREFIX><sub>.json`
 * (each object's key, ETag and last-modified time) is written after the staging succeeded, so a failed run
 * copies the same objects again; an object whose name the connector skips is not recorded (reported again every
 * run), nor one without an ETag. A changed ETag means new bytes: copied, hashed and staged as any new file. The
 * same bytes uploaded again (a new time, the same ETag) are copied and staged again too: an agency that sent a
 * month's export before the month ended and sends it again after confirms the month (lake/raw.ts, recordDelivery).
 * A record written before the times were kept (ETags only) matches on the ETag until the next run rewrites it.
 */
export async function stageDropPrefix(
  ctx: PipelineContext,
  opts: { drop: Storage; dir: string; sub: string; include: RawKind[] },
): Promise<DropPrefixSummary> {
  const seenKey = `${DROP_SEEN_PREFIX}${opts.sub}.json`;
  const recorded = await ctx.storage.tryGet(seenKey);
  let seen: Record<string, string> = {};
  if (recorded !== undefined) {
    try {
      seen = parseJsonObject(seenKey, recorded, DropSeen).objects;
    } catch (cause) {
      throw createError('ingest', `Failed to read ${seenKey}: not a drop record; delete it, and the next run copies the whole drop once`, { cause });
    }
  }
  // An object name no file can have here (a backslash from a Windows tool, an empty or '.'/'..' part) is
  // reported every run and copied never: it would stop every run, and with it every other unit's export.
  // So is an object named as another's folder (`H99.04` beside `H99.04/2025-06.csv`): the export is copied, the
  // stray object reported.
  const all = await opts.drop.list('');
  const folders = new Set(all.flatMap((o) => o.key.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const listed = all.filter((o) => isSafeKey(o.key) && !folders.has(o.key));
  const unsafe: SkippedDropFile[] = all
    .filter((o) => !isSafeKey(o.key))
    .map((o) => ({ file: `${opts.sub}/${o.key}`, reason: "an object name that cannot be copied as a file (a backslash, or an empty, '.' or '..' part): upload it again as <agency>/<yyyy-mm>.csv" }));
  for (const o of all) {
    if (isSafeKey(o.key) && folders.has(o.key)) unsafe.push({ file: `${opts.sub}/${o.key}`, reason: "an object whose name is also another object's folder: rename or delete it in the drop" });
  }
  const tag = (o: ObjectInfo): string => (o.modified ? `${o.etag} ${o.modified}` : o.etag!);
  const changed = listed.filter((o) => o.etag === undefined || (seen[o.key] !== tag(o) && seen[o.key] !== o.etag));
  for (const o of changed) {
    const copy = await copyObject(opts.drop, o.key, path.join(opts.dir, opts.sub));
    // The copy is made now: it keeps the object's own time, as a drop folder's file keeps its mtime (RawMeta.made_at).
    if (copy && o.modified) await utimes(copy.file, new Date(o.modified), new Date(o.modified));
  }
  const summary = await ingestDropDir(ctx, { dir: opts.dir, include: opts.include });
  const skipped = new Set(summary.skipped.map((f) => f.file));
  const objects: Record<string, string> = {};
  for (const o of listed) {
    if (o.etag === undefined || skipped.has(`${opts.sub}/${o.key}`)) continue;
    objects[o.key] = tag(o);
  }
  // Rewritten only when it changes (the raw bucket is versioned: no new version for a day with nothing new).
  if (recorded === undefined || JSON.stringify(objects) !== JSON.stringify(seen)) {
    await ctx.storage.put(seenKey, `${JSON.stringify({ version: 1, objects }, null, 1)}\n`, { contentType: 'application/json' });
  }
  return { ...summary, skipped: [...summary.skipped, ...unsafe], unchanged: listed.length - changed.length };
}

/**
 * The name a file staged by hand keeps: its base name, or for an NSW unit's export kept as the drop holds it
 * (`…/H99.04/2025-06.csv`) the drop's own name `nsw/H99.04/2025-06.csv`, so it counts for its unit
 * (gapUnit), as the same file dropped would.
 */
function ingestName(kind: RawKind, file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const key = parts.slice(-2).join('/');
  return kind === 'nsw-csv' && 'agencyCode' in parseNswDropKey(key) ? `nsw/${key}` : path.basename(file);
}

/** Stage single files of a known kind (e.g. a CSV export a person downloaded). */
export async function ingestFiles(ctx: PipelineContext, opts: { kind: RawKind; files: string[]; period?: string; profile?: string }): Promise<StageSummary> {
  const summary = emptyStage();
  if (opts.kind === 'dossier-export' && !(opts.profile && (await loadProfiles()).has(opts.profile))) {
    throw createError('ingest', `Failed to ingest: a dossier-export file needs a known mapping profile (--profile; one of ${[...(await loadProfiles()).keys()].join(', ')})`);
  }
  for (const file of opts.files) {
    if (!file.toLowerCase().endsWith(`.${RAW_KINDS[opts.kind].ext}`)) {
      throw createError('ingest', `Failed to ingest ${safeBaseName(file)}: a ${opts.kind} file ends in .${RAW_KINDS[opts.kind].ext}`);
    }
    const [bytes, st] = await Promise.all([readFile(file), stat(file)]);
    await stage(ctx, summary, {
      madeAt: st.mtime.toISOString(),
      kind: opts.kind,
      bytes,
      sha256: sha256(bytes),
      period: opts.period ?? periodOfName(file),
      originalName: ingestName(opts.kind, file),
      ...(opts.kind === 'dossier-export' ? { profile: opts.profile } : {}),
    });
  }
  return summary;
}

export async function land(ctx: PipelineContext, opts: { kinds?: RawKind[]; maxTimestamp?: string } = {}): Promise<LandSummary> {
  return withLakeLock(ctx.storage, 'land', () => landStaged({
    storage: ctx.storage,
    workDir: ctx.workDir,
    kinds: opts.kinds,
    maxTimestamp: opts.maxTimestamp,
    onProgress: (done, total) => ctx.onProgress?.('land', done, total),
    // What the land says as it goes (a rejected file, a registry waited for, a partition the upgrade left).
    log: (m) => ctx.log(m),
  }), ctx.lock);
}

/**
 * land(), a rejected file reported rather than thrown. A rejected file blocks nothing: the rest landed,
 * and the models, the invariants and the dashboards run over it. No snapshot is published while a file
 * waits (a published month is frozen for ever), and the run fails at its end naming the file: runAll
 * throws `rejected` last; on AWS the state machine skips the snapshot, publishes, and ends in
 * FilesRejected (infra/lib/orchestration).
 */
export async function landGoingOn(ctx: PipelineContext, opts: { kinds?: RawKind[]; maxTimestamp?: string } = {}): Promise<{ summary: LandSummary; rejected?: RejectedFilesError }> {
  try {
    return { summary: await land(ctx, opts) };
  } catch (err) {
    if (!(err instanceof RejectedFilesError)) throw err;
    return { summary: err.summary, rejected: err };
  }
}

/** How many rejected files a step's answer names (the rest are counted; every one is in the logs). */
export const REJECTED_LISTED = 20;

/**
 * What the AWS land step hands the state machine: counts, not lists. Step Functions passes at most
 * 256 KB between states and SNS publishes at most 256 KB; a first backfill lands thousands of files
 * (a summary entry is ≈ 0.4 KB each), so the full summary goes to the logs only. `waiting` names the
 * files rejected by this land or an earlier one that still wait for an operator (a later land skips
 * them, so only this listing says whether a snapshot may be published).
 */
export function landStepAnswer(summary: LandSummary, waiting: readonly RejectedEntry[]) {
  const byDataset: Record<string, number> = {};
  for (const f of summary.files) byDataset[f.dataset] = (byDataset[f.dataset] ?? 0) + f.rows_landed;
  return {
    files: summary.files.length,
    partitionsWritten: summary.partitionsWritten.length,
    rowsRead: summary.rowsRead,
    rowsLanded: summary.rowsLanded,
    rowsQuarantined: summary.rowsQuarantined,
    rowsLandedByDataset: byDataset,
    rejectedCount: summary.rejected.length,
    waitingCount: waiting.length,
    waiting: waiting.slice(0, REJECTED_LISTED).map((r) => ({ file: r.original_name, kind: r.kind, error: r.error.length > 400 ? `${r.error.slice(0, 399)}…` : r.error })),
  };
}

// ---------------------------------------------------------------------------------------------
// 766 scores

/** The 766 report service (legacy shape), month by month, for one province. */
export async function pullScore766(ctx: PipelineContext, opts: { from: string; to: string; tinhId: string }): Promise<StageSummary> {
  // The months asked ahead follow the portal's pagesAhead (PORTAL_PAGES_AHEAD=0: one request at a time, for both).
  const connector = createScore766Connector({ baseUrl: ctx.config.score766BaseUrl ?? ctx.config.portal.baseUrl, api: 'legacy', tinhId: opts.tinhId, monthsAhead: ctx.config.portal.pagesAhead });
  return (await stageFrom(ctx, connector, { from: opts.from, to: opts.to }, { step: 'pull 766' })).staged;
}

/** The current service-results API: the 34 provinces, then each planned province's units and details (the plan: config real766). */
export async function pullReal766(ctx: PipelineContext, plan: Real766Plan = ctx.config.real766): Promise<StageSummary> {
  const connector = createReal766Connector({ baseUrl: ctx.config.score766BaseUrl ?? ctx.config.portal.baseUrl, plan });
  return (await stageFrom(ctx, connector, {}, { step: 'pull 766' })).staged;
}

// ---------------------------------------------------------------------------------------------
// Transform, snapshot, verify

export interface TransformSummary {
  models: { model: string; rows?: number; location: string }[];
  testsPassed: number;
  testsWarned: number;
  /** Optional sources with nothing landed (766, PAR, Biểu 06): a warning, never a failed run. */
  missingSources: MissingSource[];
  /**
   * full: every model rebuilt whole; incremental: the incremental models rebuilt only in `partitions`
   * (docs/architecture.md, "Incremental models"), with the reason; `skipped`: the `table` models
   * kept as the last run wrote them (no input changed).
   */
  incremental: { mode: 'full' | 'incremental'; reason: string; partitions?: PartitionSelection; skipped?: string[] };
  seconds: number;
}

export interface TransformOptions {
  /** Run on this engine (its caller closes it) instead of a fresh ctx.engine(). */
  engine?: QueryEngine;
  /**
   * Register the sources the models read (default: the lake's, where ctx.storage keeps them). Given
   * (a snapshot's as-of views), the run is full and records no state.
   */
  registerSources?: (engine: QueryEngine) => Promise<void>;
  /** Rebuild every partition of the incremental models (`transform --full-refresh`). */
  fullRefresh?: boolean;
}

/** Run every sql/ model over the lake, then every model test (a failing test fails the transform). */
export async function transform(ctx: PipelineContext, opts: TransformOptions = {}): Promise<TransformSummary> {
  return withLakeLock(ctx.storage, 'transform', () => transformLocked(ctx, opts), ctx.lock);
}

async function transformLocked(ctx: PipelineContext, opts: TransformOptions): Promise<TransformSummary> {
  const started = performance.now();
  const engine = opts.engine ?? (await ctx.engine());
  // PIPELINE_DEBUG_TIMINGS=1: one log line per step, model and YAML test with its seconds (where a run spends its time).
  const timings = process.env.PIPELINE_DEBUG_TIMINGS === '1';
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await f();
    if (timings) ctx.log(`transform timing: ${what} ${((performance.now() - t0) / 1000).toFixed(3)} s`, { step: what, seconds: (performance.now() - t0) / 1000 });
    return out;
  };
  try {
    await timed('sources', () => (opts.registerSources ? opts.registerSources(engine) : registerLakeSources(engine, ctx.storage).then(() => undefined)));
    const models = loadModels(SQL_DIR);
    const persistent = opts.registerSources === undefined;
    const plan = await timed('plan', () => planTransform(engine, ctx.storage, models, { fullRefresh: opts.fullRefresh, persistent }));
    const planner = plan.mode === 'incremental' ? partitionPlanner(engine, plan, models, ctx.storage) : undefined;
    const keep = keptModels(plan, models);
    const results = await timed('models', () => runModels(engine, planner ? withPlannerInputs(models) : models, {
      keep,
      onProgress: (p) => {
        if (p.phase === 'done') ctx.onProgress?.('transform', p.completed, p.total);
        if (p.phase === 'done' && timings) ctx.log(`transform timing: model ${p.model} ${(p.seconds ?? 0).toFixed(3)} s`, { model: p.model, rows: p.rows, seconds: p.seconds });
      },
      ...(planner ? { partitions: (m) => timed(`partitions of ${m.name}`, () => planner.forModel(m)) } : {}),
    }));
    const selection: PartitionSelection | undefined = await planner?.selection();
    const skipped = new Set(results.filter((r) => r.skipped).map((r) => r.model));
    ctx.log(`transform: ${plan.mode} (${plan.reason})`, selection ? { partitions: selection } : {});
    if (skipped.size > 0) ctx.log(`transform: ${skipped.size} table model(s) skipped: no input changed (${[...skipped].join(', ')})`, { skipped: [...skipped] });
    const { results: tests, missing } = checkMissingSources(
      models,
      results,
      await timed('tests', () => runModelTests(engine, models, { ...(planner && selection ? { partitions: planner.selections() } : {}), skipped })),
    );
    if (timings) for (const t of tests) ctx.log(`transform timing: test ${t.model} ${t.test} ${(t.seconds ?? 0).toFixed(3)} s`, { model: t.model, test: t.test, seconds: t.seconds });
    assertTestsPass(tests);
    for (const t of tests.filter((r) => !r.passed && r.severity === 'warn')) {
      ctx.log(`Test warning: ${t.model}: ${t.test} → ${t.failures} row(s)${t.detail ? ` (${t.detail})` : ''}`, { model: t.model, test: t.test, failures: t.failures });
    }
    for (const m of missing) ctx.log(`Missing source: ${m.label} (${m.dataset}): nothing landed`, { emptyMarts: m.emptyMarts });
    // The state is written last: a run that fails leaves the previous state, and the next run
    // rebuilds at least what this one would have.
    if (persistent && engine.incremental) await timed('state', async () => writeState(ctx.storage, models, plan, await currentPeriods(engine, models)));
    return {
      models: results,
      incremental: { mode: plan.mode, reason: plan.reason, ...(selection ? { partitions: selection } : {}), ...(skipped.size > 0 ? { skipped: [...skipped] } : {}) },
      testsPassed: tests.filter((t) => t.passed).length,
      testsWarned: tests.filter((t) => !t.passed && t.severity === 'warn').length,
      missingSources: missing,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (!opts.engine) await engine.close();
  }
}

export interface SnapshotSummary {
  period: string;
  published: boolean;
  files: number;
}

/**
 * snapshots/<period>/: every mart as it was for that month. Already published → verified, never
 * rewritten. Otherwise the query engine builds it: the models run (as scratch models, never over the
 * lake's own) over the as-of views of the lake (sql/snapshots/as_of/), the marts are cut to the
 * periods up to the month, and the files then the manifest are published through ctx.storage.
 */
export interface SnapshotOptions {
  period: string;
  /**
   * Dossier sources whose months without a file (sourceGaps) the snapshot may be frozen without: lost
   * exports an operator gives up. Recorded in the manifest; later snapshots keep those months allowed.
   */
  allowMissing?: readonly string[];
  /**
   * Dossier sources that have ended (a feed replaced or closed): the months since their last file are
   * frozen without them, and later snapshots keep them ended while nothing comes (recorded in the manifest).
   */
  endedSources?: readonly string[];
  /** The clock (tests). */
  now?: Date;
}

export async function snapshot(ctx: PipelineContext, opts: SnapshotOptions): Promise<SnapshotSummary> {
  return withLakeLock(ctx.storage, 'snapshot', () => snapshotLocked(ctx, opts), ctx.lock);
}

async function snapshotLocked(ctx: PipelineContext, opts: SnapshotOptions): Promise<SnapshotSummary> {
  const period = SnapshotPeriod.parse(opts.period);
  const existing = await readSnapshotManifest(ctx.storage, period);
  if (existing) {
    for (const f of existing.files) {
      const body = await ctx.storage.tryGet(`snapshots/${period}/${f.name}`);
      if (!body || sha256(body) !== f.sha256) throw createError('snapshot', `Failed to verify snapshots/${period}/${f.name}: it differs from the published manifest`);
    }
    return { period, published: false, files: existing.files.length };
  }
  // A snapshot is published once and never rewritten: a month still running (in Vietnam's calendar) would be
  // frozen with the days it has had so far, under its last day's date.
  const now = vietnamMonth(opts.now);
  if (period >= `${now.year}-${String(now.month).padStart(2, '0')}`) {
    throw createError(
      'snapshot',
      `Failed to snapshot ${period}: the month has not ended (today is in ${now.month}/${now.year}, Asia/Ho_Chi_Minh); a snapshot freezes a whole month once and is never rewritten — build it from the 1st of the month after`,
    );
  }
  // A source that delivered earlier months and no file for this one: its export has not arrived (or has
  // been rejected), and a published snapshot would leave its dossiers out for good.
  const manifest = await listManifest(ctx.storage);
  const gaps = await snapshotGaps(ctx.storage, period, manifest, opts);
  const refusal = gapRefusal(period, gaps);
  if (refusal) throw new MonthNotDeliveredError(refusal);
  const asOf = monthEnd(period);
  const engine = await ctx.engine({ scratch: true });
  let files;
  try {
    await transform(ctx, { engine, registerSources: (e) => registerAsOfSources(e, ctx.storage, asOf, SQL_DIR).then(() => undefined) });
    files = await freezeMarts(engine, loadModels(SQL_DIR).filter((m) => m.layer === 'marts'), asOf);
  } finally {
    await engine.close();
  }
  const fingerprint = sha256(manifest.map((m) => m.sha256).sort().join('\n'));
  const published = await publishSnapshot(ctx.storage, period, files, { fingerprint, rawFiles: manifest.length, gaps });
  return { period, published: published !== undefined, files: files.length };
}

/**
 * The dossier sources' months without a file in the year to date of `period` (transform/snapshot.ts,
 * sourceGaps), from the landing log, the deliveries of bytes landed before (lake/raw.ts, recordDelivery),
 * the discarded files and what the other published snapshots of the year (and the December before) were
 * frozen without. Sources an operator names must be sources of the lake (a typo is an error, not a no-op).
 */
async function snapshotGaps(storage: Storage, period: string, manifest: readonly ManifestEntry[], operator: Pick<SnapshotOptions, 'allowMissing' | 'endedSources'>): Promise<SourceGap[]> {
  // Where the file's rows land (a vendor export: under its profile's source).
  const profiles = await profilesOrNone();
  const monthFile = (meta: RawMeta): SourceMonthFile => ({
    dataset: RAW_KINDS[meta.kind].dataset,
    source: gapUnit(meta, rawFileSource(meta, profiles)),
    period: meta.period,
    pulled_at: meta.pulled_at,
    made_at: meta.made_at,
    page: meta.page,
    pages: meta.pages,
  });
  const byBytes = new Map(manifest.map((m) => [`${m.kind}/${m.sha256}`, m]));
  const discardedEntries = (await listRejected(storage, { discarded: true })).filter((e) => e.discarded_at !== null);
  const discardedBytes = new Set(discardedEntries.map((e) => `${e.kind}/${e.sha256}`));
  const deliveries = await listDeliveries(storage);
  // A delivery counts for its month once its bytes have landed, and only when they hold no row (a header-only
  // export), landed for no month, or landed for the same month (the month pulled again after it ended, with the
  // same bytes: raw.ts, recordDelivery): a file with dossiers dropped again under another month's name is not that month.
  const delivered = deliveries.filter((d) => {
    const entry = byBytes.get(`${d.kind}/${d.sha256}`);
    return entry !== undefined && (entry.rows_read === 0 || entry.period === null || entry.period === d.period);
  });
  const discarded = [...discardedEntries, ...deliveries.filter((d) => discardedBytes.has(`${d.kind}/${d.sha256}`))];
  const allowedBefore = new Set<string>();
  const endedBefore = new Map<string, string>();
  const year = Number(period.slice(0, 4));
  for (let m = `${year - 1}-12`; m <= `${year}-12`; m = nextMonth(m)) {
    const published = m === period ? undefined : await readSnapshotManifest(storage, m);
    if (!published) continue;
    const gaps = published.missing_sources ?? [];
    for (const g of gaps) if (g.cause !== 'discarded') for (const month of g.months) allowedBefore.add(`${g.source}@${month}`);
    // Whether a source had ended: what the newest published snapshot before this one said (months in order).
    if (m < period) {
      endedBefore.clear();
      for (const g of gaps) if (g.cause === 'ended' && g.since) endedBefore.set(g.source, g.since);
    }
  }
  const all = [...manifest.map((m) => ({ ...m, source: gapUnit(m, m.source) })), ...delivered.map(monthFile)];
  // Where a source's units are expected (nsw/<agency>), a file of no unit (an NSW export staged by hand under
  // another name) is no unit's month, and not a source expected on its own: it counts for nothing here.
  const withUnits = new Set(all.filter((f) => f.source.includes('/')).map((f) => f.source.slice(0, f.source.indexOf('/'))));
  const files = all.filter((f) => !withUnits.has(f.source));
  const known = new Set(files.filter((f) => f.dataset === 'dossiers').map((f) => f.source));
  for (const name of [...(operator.allowMissing ?? []), ...(operator.endedSources ?? [])]) {
    if (![...known].some((k) => namesUnit([name], k))) {
      throw createError('snapshot', `Failed to snapshot ${period}: "${name}" is not a dossier source of this lake (its sources: ${[...known].sort().join(', ') || 'none'})`);
    }
  }
  return sourceGaps({ period, files, discarded: discarded.map(monthFile), allowMissing: operator.allowMissing, endedSources: operator.endedSources, allowedBefore, endedBefore });
}

/** An NSW unit's own export as the drop holds it, `nsw/<agency>/<yyyy-mm>.csv` (connectors/nsw-drop.ts; safeBaseName keeps the last three parts). */
const NSW_UNIT_FILE = /^nsw\/([^/]+)\/\d{4}-\d{2}\.csv$/i;

/**
 * Who a month's file is expected from (sourceGaps): an NSW unit that exports its own file every month (its
 * header-only file in a month without dossiers) is expected every month, as `nsw/<agency>`, so one unit's
 * missing export is not hidden by the others'; any other file counts for its source (`portal`; an NSW file
 * staged under a bare name counts for `nsw` only in a lake without units: snapshotGaps).
 */
function gapUnit(meta: Pick<RawMeta, 'kind' | 'original_name'>, source: string): string {
  const unit = meta.kind === 'nsw-csv' ? NSW_UNIT_FILE.exec(meta.original_name)?.[1] : undefined;
  return unit ? `${source}/${unit}` : source;
}

/** Why the snapshot of `period` may not be published with these gaps (one a cause `missing`), else undefined. */
function gapRefusal(period: string, gaps: readonly SourceGap[]): string | undefined {
  const refused = gaps.filter((g) => REFUSED_CAUSES.has(g.cause));
  if (refused.length === 0) return undefined;
  const sources = [...new Set(refused.map((g) => g.source))].join(',');
  const missing = refused.filter((g) => g.cause === 'missing');
  const partial = refused.filter((g) => g.cause === 'partial' && !g.unfinished);
  const unfinished = refused.filter((g) => g.cause === 'partial' && g.unfinished);
  const what = [
    ...(missing.length ? [`no dossier file has landed ${missing.map((g) => `from ${g.source} for ${g.months.join(', ')}`).join('; ')}`] : []),
    ...(unfinished.length
      ? [`the pull of ${unfinished.map((g) => `${g.source} for ${g.months.join(', ')}`).join('; ')} after the month ended stopped before the month's last page (the pages pulled since its end do not cover it), so the lake may not hold all of it — pull the month again`]
      : []),
    ...(partial.length
      ? [`the only dossier files ${partial.map((g) => `from ${g.source} for ${g.months.join(', ')}`).join('; ')} were made before the month ended (Asia/Ho_Chi_Minh; pulled, or written into the drop: a file's modification time), so they cannot hold its last days — pull or export the month again (a file copied with its old time keeps it)`]
      : []),
  ].join('; and ');
  return (
    `Failed to snapshot ${period}: ${what}; ` +
    `a snapshot is published once and never rewritten, so those dossiers would be left out of it for good — stage and land the exports ` +
    `(npm run cli -- rejected lists files that failed to land; a file counts for the month its name or --period gives), ` +
    `or snapshot with --allow-missing ${sources} where those months are lost, or --source-ended ${sources} where a source has ended ` +
    `(the Lambda event's "allowMissing" / "endedSources"; the manifest and the report pack record it)`
  );
}

/** Files that failed to land and wait for an operator (newest error kept per file). */
export async function rejectedFiles(ctx: Pick<PipelineContext, 'storage' | 'lock'>, opts: { discarded?: boolean } = {}): Promise<RejectedEntry[]> {
  return listRejected(ctx.storage, opts);
}

/** Let the next land try a rejected file again (named by hash, a hash prefix or its original name). */
export async function retryFile(ctx: Pick<PipelineContext, 'storage' | 'lock'>, ref: string): Promise<RejectedEntry> {
  return withLakeLock(ctx.storage, 'retry', () => retryRejected(ctx.storage, ref), ctx.lock);
}

/** Give up on a rejected file: removed from raw/, a record kept under manifest/discarded/. */
export async function discardFile(ctx: Pick<PipelineContext, 'storage' | 'lock'>, ref: string): Promise<RejectedEntry> {
  return withLakeLock(ctx.storage, 'discard', () => discardRejected(ctx.storage, ref), ctx.lock);
}

export interface VerifySummary {
  filesChecked: number;
  dossiers: number;
  snapshots: number;
}

/** The lake's invariants (accounting per file, unique dossier ids, snapshot hashes); throws when broken. */
export async function verify(ctx: PipelineContext): Promise<VerifySummary> {
  const report = await checkInvariants(ctx.storage, ctx.workDir);
  assertInvariants(report);
  return { filesChecked: report.filesChecked, dossiers: report.dossiers, snapshots: (await listSnapshots(ctx.storage)).length };
}

export interface RunSummary {
  lakeRoot: string;
  staged: StageSummary;
  landed: LandSummary;
  transformed: TransformSummary;
  verified: VerifySummary;
  snapshots: SnapshotSummary[];
  /** seconds = sourcesSeconds (`evidence sources`) + buildSeconds (`evidence build`). */
  dashboards?: { outDir: string; preview: string; pages: number; seconds: number; sourcesSeconds?: number; buildSeconds?: number };
  /** The report pack `npm start` builds from the newest snapshot. */
  report?: { dir: string; files: string[] };
  quarantineByReason: { dataset: string; reason: string; rows: number }[];
  seconds: number;
}

/**
 * A run that did all it could and failed at its end: rejected files wait, or a month a source has not
 * delivered was not frozen. `runSummary` is what it did (the CLI prints it before the error).
 */
export class RunIncompleteError extends Error {
  readonly runSummary: RunSummary;
  constructor(message: string, runSummary: RunSummary) {
    super(`[pipeline] [run] ${message}`);
    this.name = 'RunIncomplete';
    this.runSummary = runSummary;
  }
}

/** Everything, in order: pull (portal, 766, drop dir) → land → transform → verify → snapshots. */
export async function runAll(
  ctx: PipelineContext,
  opts: {
    portal?: { from: string; to: string; token: string };
    score766?: { from: string; to: string; tinhId: string };
    real766?: boolean;
    drop?: { dir: string; include?: RawKind[] };
    snapshots?: string[];
    /** For the snapshots (SnapshotOptions): sources whose missing months they may be frozen without, sources that have ended. */
    allowMissing?: readonly string[];
    endedSources?: readonly string[];
  },
): Promise<RunSummary> {
  return withLakeLock(ctx.storage, 'run', () => runAllLocked(ctx, opts), ctx.lock);
}

async function runAllLocked(ctx: PipelineContext, opts: Parameters<typeof runAll>[1]): Promise<RunSummary> {
  const started = performance.now();
  const staged = emptyStage();
  const add = (s: StageSummary): void => {
    staged.staged += s.staged;
    staged.alreadyLanded += s.alreadyLanded;
    staged.alreadyRejected += s.alreadyRejected;
    staged.skipped.push(...s.skipped);
    staged.bytes += s.bytes;
    for (const [k, v] of Object.entries(s.byKind)) staged.byKind[k as RawKind] = (staged.byKind[k as RawKind] ?? 0) + (v ?? 0);
  };
  if (opts.drop) add(await ingestDropDir(ctx, opts.drop));
  if (opts.portal) add(await pullPortal(ctx, opts.portal));
  if (opts.score766) add(await pullScore766(ctx, opts.score766));
  if (opts.real766) add(await pullReal766(ctx));
  const { summary: landed, rejected } = await landGoingOn(ctx);
  const transformed = await transform(ctx);
  const snapshots: SnapshotSummary[] = [];
  const waiting = await listRejected(ctx.storage);
  // A month a dossier source has not delivered is not frozen, and the other months still are; the run
  // verifies and then fails naming it.
  const undelivered: string[] = [];
  for (const period of opts.snapshots ?? []) {
    if (waiting.length > 0) {
      ctx.log(`snapshot ${period} not published: ${waiting.length} rejected file(s) wait (npm run cli -- rejected)`);
      continue;
    }
    try {
      snapshots.push(await snapshot(ctx, { period, allowMissing: opts.allowMissing, endedSources: opts.endedSources }));
    } catch (err) {
      if (!(err instanceof MonthNotDeliveredError)) throw err;
      ctx.log(`snapshot ${period} not published: ${err.reason}`);
      undelivered.push(err.reason);
    }
  }
  const verified = await verify(ctx);
  const summary: RunSummary = {
    lakeRoot: ctx.storage.root,
    staged,
    landed,
    transformed,
    verified,
    snapshots,
    quarantineByReason: await quarantineByReason(ctx.storage),
    seconds: (performance.now() - started) / 1000,
  };
  if (rejected) {
    rejected.runSummary = summary;
    throw rejected;
  }
  // Files an earlier land rejected still wait: the month's snapshot was not published, and the run says
  // so as a failure (on AWS the state machine ends in FilesRejected the same way), not in a log line.
  if (waiting.length > 0 && (opts.snapshots?.length ?? 0) > 0) {
    throw new RunIncompleteError(
      `Failed to publish snapshot(s) ${opts.snapshots!.join(', ')}: ${waiting.length} rejected file(s) wait (${waiting.slice(0, 5).map((w) => w.original_name).join(', ')}${waiting.length > 5 ? ', …' : ''}). Everything else ran; \`npm run cli -- rejected\` lists them; retry or discard each, then run the snapshot again`,
      summary,
    );
  }
  if (undelivered.length > 0) throw new RunIncompleteError(`${undelivered.join('. ')}. Everything else ran`, summary);
  return summary;
}
