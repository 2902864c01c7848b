/**
 * The pipeline's steps as plain functions over a context. The CLI commands and the Lambda handlers
 * are thin edges that build a context and call these; nothing here knows which edge called it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineConfig, Real766Plan } from './config.js';
import { createError } from './errors.js';
import type { QueryEngine } from './engine/types.js';
import { createPortalConnector } from './connectors/portal.js';
import type { PullState } from './connectors/_types.js';
import { landStaged, RejectedFilesError, type LandSummary } from './lake/land.js';
import { discardRejected, listManifest, listRejected, retryRejected, safeBaseName, sha256, stageRaw, type RejectedEntry } from './lake/raw.js';
import { assertInvariants, checkInvariants } from './lake/invariants.js';
import { withLakeLock, type LockOptions } from './lake/lock.js';
import { freezeMarts, quarantineByReason, registerAsOfSources } from './transform/asof.js';
import { listSnapshots, monthEnd, publishSnapshot, readSnapshotManifest, SnapshotPeriod } from './transform/snapshot.js';
import { RAW_KINDS, type RawKind } from './lake/sources.js';
import { createScore766Connector } from './connectors/score766.js';
import { listNswFiles } from './connectors/nsw-drop.js';
import { loadProfiles } from './profiles/profile.js';
import { SQL_DIR } from './lake/landing-sql.js';
import { assertTestsPass, checkMissingSources, loadModels, registerLakeSources, runModelTests, runModels, type MissingSource } from './transform/index.js';
import type { Storage } from './storage/types.js';

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
  kind: RawKind,
  bytes: Buffer,
  period: string | null,
  originalName: string,
  asOf?: string,
  profile?: string,
): Promise<void> {
  const r = await stageRaw(ctx.storage, { kind, bytes, period, originalName, asOf, profile });
  if (r.alreadyLanded) summary.alreadyLanded++;
  else if (r.alreadyRejected) summary.alreadyRejected++;
  else {
    summary.staged++;
    summary.bytes += bytes.length;
    summary.byKind[kind] = (summary.byKind[kind] ?? 0) + 1;
  }
}

const PORTAL_STATE_KEY = 'state/portal-dossiers.json';

/** Pull the portal's dossier API month by month into raw/ (resumable: ETags kept in state/). */
export async function pullPortal(ctx: PipelineContext, opts: { from: string; to: string; token: string }): Promise<StageSummary & { unchanged: number; rows: number }> {
  const connector = createPortalConnector({
    baseUrl: ctx.config.portal.baseUrl,
    token: opts.token,
    pageSize: ctx.config.portal.pageSize,
  });
  const prior = await ctx.storage.tryGet(PORTAL_STATE_KEY);
  const state: PullState = prior ? (JSON.parse(prior.toString('utf8')) as PullState) : {};
  const summary = emptyStage();
  let pages = 0;
  try {
    const result = await connector.pullDossiers({
      from: opts.from,
      to: opts.to,
      state,
      onPage: async (page) => {
        await stage(ctx, summary, 'portal-api', page.bytes, page.period, page.requestPath);
        ctx.onProgress?.('pull', ++pages, 0);
      },
    });
    return { ...summary, unchanged: result.unchanged, rows: result.rows };
  } finally {
    // Persist progress even after a failure, so the next run resumes.
    await ctx.storage.put(PORTAL_STATE_KEY, JSON.stringify(state));
  }
}

/**
 * A directory laid out like the demo province (docs/architecture.md), as agencies and the province
 * drop their exports: registry/, portal/dossiers/ (CSV exports), nsw/, bieu06/, par/, score766/.
 * Every file found is staged under raw/ unchanged; names decide kind and period.
 */
export async function ingestDropDir(
  ctx: PipelineContext,
  opts: { dir: string; include?: RawKind[] },
): Promise<StageSummary> {
  const summary = emptyStage();
  // A drop that describes itself (the demo's meta.json: synthetic, province) tells the dashboards.
  const meta = await readFile(path.join(opts.dir, 'meta.json')).catch(() => undefined);
  if (meta) await ctx.storage.put('meta.json', meta);
  const { files, skipped } = await planDropDir(opts.dir);
  for (const f of skipped) ctx.log(`skipped ${f.file}: ${f.reason}`);
  summary.skipped.push(...skipped);
  let done = 0;
  for (const f of files) {
    if (opts.include && !opts.include.includes(f.kind)) continue;
    if (f.profile) ctx.log(`${path.relative(opts.dir, f.path)}: a ${f.kind} read with the mapping profile ${f.profile}`);
    await stage(ctx, summary, f.kind, await readFile(f.path), f.period, path.relative(opts.dir, f.path), undefined, f.profile);
    ctx.onProgress?.('ingest', ++done, files.length);
  }
  return summary;
}

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

/**
 * What each file of a drop directory is, by where it lies and its name. Files whose names follow no
 * rule are listed in `skipped` with the reason (one bad name never blocks the rest of the drop);
 * `planDrop` gives the files alone.
 */
export async function planDropDir(dir: string): Promise<{ files: DropFile[]; skipped: SkippedDropFile[] }> {
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
      out.push({ path: file, kind: rule.kind, period: rule.period(rule.test.exec(name)!) });
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
      const m = /(\d{4}-\d{2}|\d{4})/.exec(path.basename(file));
      out.push({ path: file, kind: 'dossier-export', period: m?.[1] ?? null, profile: profile.name });
    }
  }
  return { files: out.sort((a, b) => a.path.localeCompare(b.path)), skipped: skipped.sort((a, b) => a.file.localeCompare(b.file)) };
}

/**
 * An NSW drop, `<agency_code>/<yyyy-mm>.csv` under `nswDir`, by the NSW drop connector's rules
 * (connectors/nsw-drop.ts, the only NSW name rules): the files with their periods, and every other
 * entry with its reason (hidden files such as .DS_Store are ignored). Skipped names are given as
 * `nsw/<key>`, as the drop directory holds them. A missing directory is an empty drop.
 */
export async function planNswDrop(nswDir: string): Promise<{ files: DropFile[]; skipped: SkippedDropFile[] }> {
  if (!existsSync(nswDir)) return { files: [], skipped: [] };
  const nsw = await listNswFiles(nswDir);
  const skipped: SkippedDropFile[] = [];
  for (const r of nsw.rejected) {
    if (r.key.split('/').some((part) => part.startsWith('.'))) continue; // hidden files (.DS_Store, .git)
    skipped.push({ file: `nsw/${r.key}`, reason: `${r.reason} (see docs/data-contracts.md)` });
  }
  return { files: nsw.files.map((f) => ({ path: f.path, kind: 'nsw-csv' as const, period: f.period })), skipped };
}

/**
 * Stage an NSW drop (the pull-nsw Lambda's copy of NSW_DROP_PREFIX) exactly as ingestDropDir stages the
 * drop directory's nsw/ folder: same rules, same periods, same original names (`nsw/<agency>/<yyyy-mm>.csv`);
 * a bad name is logged and listed in `skipped` with its reason, and the rest is staged.
 */
export async function ingestNswDrop(ctx: PipelineContext, nswDir: string): Promise<StageSummary> {
  const summary = emptyStage();
  const { files, skipped } = await planNswDrop(nswDir);
  for (const f of skipped) ctx.log(`skipped ${f.file}: ${f.reason}`);
  summary.skipped.push(...skipped);
  let done = 0;
  for (const f of files) {
    await stage(ctx, summary, f.kind, await readFile(f.path), f.period, `nsw/${path.relative(nswDir, f.path).split(path.sep).join('/')}`);
    ctx.onProgress?.('ingest', ++done, files.length);
  }
  return summary;
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
    const m = /(\d{4}-\d{2}|\d{4})/.exec(path.basename(file));
    await stage(ctx, summary, opts.kind, await readFile(file), opts.period ?? m?.[1] ?? null, path.basename(file), undefined, opts.kind === 'dossier-export' ? opts.profile : undefined);
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
  }), ctx.lock);
}

// ---------------------------------------------------------------------------------------------
// 766 scores

/** The 766 report service (legacy shape), month by month, for one province. */
export async function pullScore766(ctx: PipelineContext, opts: { from: string; to: string; tinhId: string }): Promise<StageSummary> {
  const connector = createScore766Connector({ baseUrl: ctx.config.score766BaseUrl ?? ctx.config.portal.baseUrl, api: 'legacy', tinhId: opts.tinhId });
  const summary = emptyStage();
  let done = 0;
  await connector.pull({ from: opts.from, to: opts.to }, async (p) => {
    await stage(ctx, summary, 'score766-legacy', p.bytes, p.period, p.originalName);
    ctx.onProgress?.('pull 766', ++done, 0);
  });
  return summary;
}

/** The current service-results API: the 34 provinces, then each planned province's units and details (the plan: config real766). */
export async function pullReal766(ctx: PipelineContext, plan: Real766Plan = ctx.config.real766): Promise<StageSummary> {
  const connector = createScore766Connector({ baseUrl: ctx.config.score766BaseUrl ?? ctx.config.portal.baseUrl, api: 'service-results' });
  const summary = emptyStage();
  const period = String(plan.year);
  const base = { timeType: 'year' as const, year: plan.year, departmentType: 'ADMINISTRATIVE_UNIT' };
  const national = await connector.fetchServiceResults(base);
  await stage(ctx, summary, 'score766-results', national.bytes, period, `service-results?year=${plan.year}`, plan.nationalAsOf);
  for (const p of plan.provinces) {
    for (const asOf of p.captures) {
      const units = await connector.fetchServiceResults({ ...base, departmentId: p.departmentId, asOf } as Parameters<typeof connector.fetchServiceResults>[0]);
      await stage(ctx, summary, 'score766-results', units.bytes, period, `service-results?year=${plan.year}&departmentId=${p.departmentId}&asOf=${asOf}`, asOf);
      if (!p.detailCaptures.includes(asOf)) continue;
      for (const u of units.data.data.evaluation) {
        const detail = await connector.fetchDepartmentDetail({ ...base, departmentId: String(u.departmentId), asOf } as Parameters<typeof connector.fetchDepartmentDetail>[0]);
        await stage(ctx, summary, 'score766-detail', detail.bytes, period, `department-detail?year=${plan.year}&departmentId=${u.departmentId}&asOf=${asOf}`, asOf);
      }
    }
  }
  return summary;
}


// ---------------------------------------------------------------------------------------------
// Transform, snapshot, verify

export interface TransformSummary {
  models: { model: string; rows: number; location: string }[];
  testsPassed: number;
  testsWarned: number;
  /** Optional sources with nothing landed (766, PAR, Biểu 06): a warning, never a failed run. */
  missingSources: MissingSource[];
  seconds: number;
}

/** Run every sql/ model over the lake, then every model test (a failing test fails the transform). */
export async function transform(ctx: PipelineContext, opts: TransformOptions = {}): Promise<TransformSummary> {
  return withLakeLock(ctx.storage, 'transform', () => transformLocked(ctx, opts), ctx.lock);
}

export interface TransformOptions {
  /** Run on this engine (its caller closes it) instead of a fresh ctx.engine(). */
  engine?: QueryEngine;
  /** Register the sources the models read (default: the lake's, where ctx.storage keeps them). */
  registerSources?: (engine: QueryEngine) => Promise<void>;
}

async function transformLocked(ctx: PipelineContext, opts: TransformOptions): Promise<TransformSummary> {
  const started = performance.now();
  const engine = opts.engine ?? (await ctx.engine());
  try {
    if (opts.registerSources) await opts.registerSources(engine);
    else await registerLakeSources(engine, ctx.storage);
    const models = loadModels(SQL_DIR);
    const results = await runModels(engine, models, {
      onProgress: (p) => {
        if (p.phase === 'done') ctx.onProgress?.('transform', p.index, p.total);
      },
    });
    const { results: tests, missing } = checkMissingSources(models, results, await runModelTests(engine, models));
    assertTestsPass(tests);
    for (const m of missing) ctx.log(`Missing source: ${m.label} (${m.dataset}): nothing landed`, { emptyMarts: m.emptyMarts });
    return {
      models: results,
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
export async function snapshot(ctx: PipelineContext, opts: { period: string }): Promise<SnapshotSummary> {
  return withLakeLock(ctx.storage, 'snapshot', () => snapshotLocked(ctx, opts), ctx.lock);
}

async function snapshotLocked(ctx: PipelineContext, opts: { period: string }): Promise<SnapshotSummary> {
  const period = SnapshotPeriod.parse(opts.period);
  const existing = await readSnapshotManifest(ctx.storage, period);
  if (existing) {
    for (const f of existing.files) {
      const body = await ctx.storage.tryGet(`snapshots/${period}/${f.name}`);
      if (!body || sha256(body) !== f.sha256) throw createError('snapshot', `Failed to verify snapshots/${period}/${f.name}: it differs from the published manifest`);
    }
    return { period, published: false, files: existing.files.length };
  }
  const asOf = monthEnd(period);
  const engine = await ctx.engine({ scratch: true });
  let files;
  try {
    await transform(ctx, { engine, registerSources: (e) => registerAsOfSources(e, ctx.storage, asOf, SQL_DIR).then(() => undefined) });
    files = await freezeMarts(engine, loadModels(SQL_DIR).filter((m) => m.layer === 'marts'), asOf);
  } finally {
    await engine.close();
  }
  const manifest = await listManifest(ctx.storage);
  const fingerprint = sha256(manifest.map((m) => m.sha256).sort().join('\n'));
  const published = await publishSnapshot(ctx.storage, period, files, { fingerprint, rawFiles: manifest.length });
  return { period, published: published !== undefined, files: files.length };
}

/** Files that failed to land and wait for an operator (newest error kept per file). */
export async function rejectedFiles(ctx: PipelineContext, opts: { discarded?: boolean } = {}): Promise<RejectedEntry[]> {
  return listRejected(ctx.storage, opts);
}

/** Let the next land try a rejected file again (named by hash, a hash prefix or its original name). */
export async function retryFile(ctx: PipelineContext, ref: string): Promise<RejectedEntry> {
  return withLakeLock(ctx.storage, 'retry', () => retryRejected(ctx.storage, ref), ctx.lock);
}

/** Give up on a rejected file: removed from raw/, a record kept under manifest/discarded/. */
export async function discardFile(ctx: PipelineContext, ref: string): Promise<RejectedEntry> {
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

/** Everything, in order: pull (portal, 766, drop dir) → land → transform → verify → snapshots. */
export async function runAll(
  ctx: PipelineContext,
  opts: {
    portal?: { from: string; to: string; token: string };
    score766?: { from: string; to: string; tinhId: string };
    real766?: boolean;
    drop?: { dir: string; include?: RawKind[] };
    snapshots?: string[];
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
  // A rejected file blocks nothing: the rest landed, the models and the invariants run over it. No
  // snapshot is published while a file waits (a published month is frozen for ever), and the run
  // fails at the end naming the file.
  let rejected: RejectedFilesError | undefined;
  const landed = await land(ctx).catch((err: unknown) => {
    if (!(err instanceof RejectedFilesError)) throw err;
    rejected = err;
    return err.summary;
  });
  const transformed = await transform(ctx);
  const snapshots: SnapshotSummary[] = [];
  const waiting = await listRejected(ctx.storage);
  for (const period of opts.snapshots ?? []) {
    if (waiting.length > 0) {
      ctx.log(`snapshot ${period} not published: ${waiting.length} rejected file(s) wait (npm run cli -- rejected)`);
      continue;
    }
    snapshots.push(await snapshot(ctx, { period }));
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
  return summary;
}
